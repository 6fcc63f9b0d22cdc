# CPU utilisation per configuration: CPU seconds (process and children, user and system) per
# wall second, median with min–max; the dashed line is every core busy. Reads cpu.dat; where
# it has columns 6 and 7 (the sampler's thread and the start-up before the run's clock, in
# cores), the bottom of each bar shows them: the instruments' share.
# usage: gnuplot -e "data='cpu.dat'; out='cpu'; cores=C" plots/cpu.gp
if (!exists("data") || !exists("out")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'; cores=C\" cpu.gp"
	exit status 2
}
if (!exists("cores")) { cores = 0 }
if (!exists("n")) { n = 0 }
# wider for many configurations, so their labels stay apart
width = n > 16 ? 400 + 40 * n : 1000
if (!exists("plots")) { plots = "plots" }
set encoding utf8
# twelve distinguishable colours (Tableau 10, black, light blue), then dashes
colours = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #000000 #aec7e8"
do for [i=1:12] { set linetype i lc rgb word(colours, i) lw 2 dt 1 }
do for [i=13:24] { set linetype i lc rgb word(colours, i - 12) lw 2 dt 2 }
set linetype cycle 24
set key autotitle columnhead
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt width 620 12
	set termoption noenhanced
	set output out.".".fmt
	set title "CPU utilisation per configuration"
	set ylabel "CPU utilisation (CPU s per wall s)"
	set style fill solid 0.7 border -1
	set boxwidth 0.6
	if (n > 16) { set xtics rotate by 40 right nomirror } else { set xtics rotate by -25 nomirror }
	set offsets 0.5, 0.5, 0, 0
	if (cores > 0) { set yrange [0:cores + 0.5] } else { set yrange [0:*] }
	set grid ytics
	set key outside right top box
	# the bars: the median, then from the bottom the start-up and the sampler over it
	plot data using 0:2:xtic(1) with boxes lc rgb "#4a7ab5" title "median", \
	     '' using 0:(column(6) + column(7)) with boxes lc rgb "#ff7f0e" title "of it: start-up before the clock", \
	     '' using 0:6 with boxes lc rgb "#d62728" title "of it: the sampler (instruments)", \
	     '' using 0:2:3:4 with yerrorbars pt -1 lw 1.5 lc rgb "black" title "min–max", \
	     (cores > 0 ? cores : NaN) with lines dt 2 lw 1.5 lc rgb "gray40" title (cores > 0 ? sprintf("all %d cores busy", cores) : "")
	set output
}
