# Threads and processes of a run's process tree over time, one line per configuration (the
# sampler's timeline in the run summaries). Reads evopar report's timeline.dat ("?": not
# sampled, left blank).
# usage: gnuplot -e "data='timeline.dat'; out='timeline'; n=SERIES" plots/timeline.gp
if (!exists("data") || !exists("out") || !exists("n")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'; n=SERIES\" timeline.gp"
	exit status 2
}
if (!exists("plots")) { plots = "plots" }
set encoding utf8
# twelve distinguishable colours (Tableau 10, black, light blue), then dashes
colours = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2 #7f7f7f #bcbd22 #17becf #000000 #aec7e8"
do for [i=1:12] { set linetype i lc rgb word(colours, i) lw 2 dt 1 }
do for [i=13:24] { set linetype i lc rgb word(colours, i - 12) lw 2 dt 2 }
set linetype cycle 24
set datafile missing "?"
# whole counts: a tic per unit while that stays readable
stats data using 2 nooutput
tmax = STATS_max
stats data using 3 nooutput
pmax = STATS_max
tstep = tmax <= 12 ? 1 : ceil(tmax / 8.0)
pstep = pmax <= 12 ? 1 : ceil(pmax / 8.0)
# series at equal counts would hide each other: each is lifted by a small step of its own
lift(i) = (i - (n - 1) / 2.0) * 0.05
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt 1100 900 12
	set termoption noenhanced
	set output out.".".fmt
	set multiplot layout 2,1 title "Threads and processes of the run's process tree over time (first measured repetition; lines lifted apart by 0.05 each)"
	set xlabel "time since the run started (s)"
	set grid
	set key outside right top box
	set yrange [0:*]
	set offsets 0, 0, 0.5, 0
	set lmargin 12
	set ylabel "threads (count)"
	set ytics tstep
	plot for [i=0:n-1] data index i using 1:($2 + lift(i)) with steps lt i+1 title columnheader(1)
	set ylabel "processes (count)"
	set ytics pstep
	plot for [i=0:n-1] data index i using 1:($3 + lift(i)) with steps lt i+1 title columnheader(1)
	unset multiplot
	set output
}
