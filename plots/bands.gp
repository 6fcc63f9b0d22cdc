# Lines with a band: one series per data block (x, median, min, max), the median drawn as a
# line over a translucent min–max band; optional vertical (vline) and horizontal (hline) marks.
# usage: gnuplot -e "data='F'; out='BASE'; names='A B'; n=2; lts='1 3'; title='..';
#        xlabel='..'; ylabel='..'[; ymin=0; ymax=1; vline=X; vlabel='..'; hline=Y; hlabel='..']" bands.gp
if (!exists("data") || !exists("out") || !exists("names") || !exists("n")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'; names='A B'; n=2\" bands.gp"
	exit status 2
}
if (!exists("lts")) { lts = ""; do for [i=1:n] { lts = lts." ".i } }
if (!exists("title")) { title = "" }
if (!exists("xlabel")) { xlabel = "" }
if (!exists("ylabel")) { ylabel = "" }
if (!exists("plots")) { plots = "plots" }
set encoding utf8
# the palette of plots/speedup.gp: a variant keeps its colour from figure to figure
colours = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #000000 #aec7e8"
lc(i) = word(colours, int(word(lts, i)))
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt 1000 620 12
	set termoption noenhanced
	set output out.".".fmt
	set title title
	set xlabel xlabel
	set ylabel ylabel
	if (exists("ymin") && exists("ymax")) { set yrange [ymin:ymax] }
	set grid xtics ytics
	set key outside right top box
	set style fill transparent solid 0.15 noborder
	unset arrow
	unset label
	if (exists("vline")) {
		set arrow 1 from vline, graph 0 to vline, graph 1 nohead dt 2 lw 1.5 lc rgb "gray30"
		set label 1 vlabel at vline, graph 0.04 offset 0.5, 0 left tc rgb "gray30"
	}
	if (exists("hline")) {
		set arrow 2 from graph 0, first hline to graph 1, first hline nohead dt 3 lw 1.5 lc rgb "gray50"
		set label 2 hlabel at graph 0.01, first hline offset 0, 0.6 left tc rgb "gray40"
	}
	plot for [i=0:n-1] data index i using 1:3:4 with filledcurves lc rgb lc(i+1) notitle, \
	     for [i=0:n-1] data index i using 1:2 with lines lw 2.5 lc rgb lc(i+1) title word(names, i+1)
	set output
}
