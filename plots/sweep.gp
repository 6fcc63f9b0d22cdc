# Speedup against the work per item: one line per configuration and population (evopar report
# --sweep's sweep.dat: blocks of "name" then work ns, speedup, low, high), the break-even line
# and the work sizes a study reports (marks).
# usage: gnuplot -e "plots='plots'; data='sweep.dat'; out='sweep'; n=SERIES[; what='..'; marks='set arrow ..']" plots/sweep.gp
if (!exists("data") || !exists("out") || !exists("n")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'; n=SERIES\" sweep.gp"
	exit status 2
}
if (!exists("what")) { what = "work per item" }
if (!exists("marks")) { marks = "" }
if (!exists("plots")) { plots = "plots" }
set encoding utf8
colours = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #000000 #aec7e8"
do for [i=1:12] { set linetype i lc rgb word(colours, i) lw 2 dt 1 }
do for [i=13:24] { set linetype i lc rgb word(colours, i - 12) lw 2 dt 2 }
set linetype cycle 24
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt 1200 700 12
	set output out.".".fmt
	set title "Speedup over sequential against ".what."\n(median, bars: paired 95% bootstrap interval)"
	set xlabel what." (log)"
	set ylabel "speedup over sequential (×, log)"
	set logscale xy
	set format x "%g"
	set format y "%g"
	set grid xtics ytics
	set key outside right top box
	eval marks
	plot 1 with lines dt 3 lw 1.5 lc rgb "gray40" title "break-even (1×)", \
	     for [i=0:n-1] data index i using 1:2:3:4 with yerrorlines lt i+1 pt 7 ps 1.1 title columnheader(1)
	set output
}
