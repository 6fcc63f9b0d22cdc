# Speedup against worker count: one line per strategy (evopar report's speedup.dat: blocks of
# "name" then workers, speedup, low, high), the ideal linear line and break-even.
# The last `apart` blocks are configurations that did different work from sequential: points
# of their own, no line, never read against the ideal.
# usage: gnuplot -e "data='speedup.dat'; out='speedup'; n=SERIES[; apart=K; what='..'; xname='..']" plots/speedup.gp
if (!exists("data") || !exists("out") || !exists("n")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'; n=SERIES\" speedup.gp"
	exit status 2
}
if (!exists("apart")) { apart = 0 }
if (!exists("what")) { what = "total ms per generation" }
if (!exists("xname")) { xname = "workers (processes, threads or islands)" }
if (!exists("plots")) { plots = "plots" }
set encoding utf8
# series at the same worker count are spread sideways, at most half a worker in all
step = n > 1 ? (0.05 < 0.5 / (n - 1) ? 0.05 : 0.5 / (n - 1)) : 0
# twelve distinguishable colours (Tableau 10, black, light blue), then dashes
colours = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #000000 #aec7e8"
do for [i=1:12] { set linetype i lc rgb word(colours, i) lw 2 dt 1 }
do for [i=13:24] { set linetype i lc rgb word(colours, i - 12) lw 2 dt 2 }
set linetype cycle 24
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt 1000 620 12
	set termoption noenhanced
	set output out.".".fmt
	set title "Speedup over sequential (".what."; median, bars: bootstrap 95% interval)"
	set xlabel xname
	set ylabel "speedup over sequential (×)"
	set xtics 1
	set offsets 0.5, 0.5, 0, 0
	set yrange [0:*]
	set grid ytics
	set key outside right top box
	plot x with lines dt 2 lw 1.5 lc rgb "gray40" title "ideal (linear)", \
	     1 with lines dt 3 lw 1.5 lc rgb "gray60" title "break-even (1×)", \
	     for [i=0:n-apart-1] data index i using ($1 + (i - (n - 1) / 2.0) * step):2:3:4 with yerrorlines \
		lt i+1 pt 7 ps 1.3 title columnheader(1), \
	     for [i=n-apart:n-1] data index i using ($1 + (i - (n - 1) / 2.0) * step):2:3:4 with yerrorbars \
		lt i+1 pt 6 ps 1.8 title columnheader(1)
	set output
}
