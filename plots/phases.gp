# Where a generation's time goes: median ms per phase, stacked per configuration (top), the
# same as shares of the generation (middle), and the phases but evaluate (bottom: evaluate is
# most of a generation and hides mutate, prepare and resample). Reads evopar report's phases.dat.
# usage: gnuplot -e "data='phases.dat'; out='phases'; n=CONFIGS" plots/phases.gp
if (!exists("data") || !exists("out")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'\" phases.gp"
	exit status 2
}
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
	call plots."/term.gp" fmt 1100 1300 12
	set termoption noenhanced
	set output out.".".fmt
	set multiplot layout 3,1 title "Phases of a generation (median over repetitions, generation 0 left out)"
	set style data histograms
	set style histogram rowstacked
	set style fill solid 0.85 border -1
	set boxwidth 0.7
	set xtics rotate by -25 nomirror
	set grid ytics
	set key outside right top box
	set lmargin 12
	set rmargin 22
	set ylabel "ms per generation"
	set yrange [0:*]
	plot for [c=2:5] data using c:xtic(1) lt c-1 title columnheader(c)
	set ylabel "share of the generation (%)"
	set yrange [0:100]
	plot for [c=2:5] data using (100*column(c)/($2+$3+$4+$5)):xtic(1) lt c-1 title columnheader(c)
	set ylabel "ms per generation, evaluate left out"
	set yrange [0:*]
	plot for [c in "2 3 5"] data using (column(int(c))):xtic(1) lt int(c)-1 title columnheader(int(c))
	unset multiplot
	set output
}
