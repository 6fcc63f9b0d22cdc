# Stacked bars: one bar per row (a quoted label, then n shares that sum to 1), one colour per
# column; used for the share of each island of origin in a final population.
# usage: gnuplot -e "data='F'; out='BASE'; names='island-0 island-1'; n=2; title='..';
#        xlabel='..'; ylabel='..'" stacked.gp
if (!exists("data") || !exists("out") || !exists("names") || !exists("n")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'; names='A B'; n=2\" stacked.gp"
	exit status 2
}
if (!exists("title")) { title = "" }
if (!exists("xlabel")) { xlabel = "" }
if (!exists("ylabel")) { ylabel = "" }
if (!exists("plots")) { plots = "plots" }
set encoding utf8
# island colours apart from the variants' palette: a sequential scheme (viridis-like)
colours = "#440154 #3b528b #21918c #5ec962 #fde725 #b5de2b #31688e #35b779 #90d743 #443983"
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt 1000 620 12
	set termoption noenhanced
	set output out.".".fmt
	set title title
	set xlabel xlabel
	set ylabel ylabel
	set yrange [0:1.0]
	set style data histograms
	set style histogram rowstacked
	set style fill solid 0.9 border rgb "white"
	set boxwidth 0.75
	set xtics rotate by -35 left
	set grid ytics
	set key outside right top box title "island of origin"
	plot for [c=2:n+1] data using c:xtic(1) lc rgb word(colours, (c - 2) % 10 + 1) title word(names, c - 1)
	set output
}
