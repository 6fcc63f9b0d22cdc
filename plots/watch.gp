# A job watched by evopar watch, over time: its threads and processes; the cores its threads ran
# on (CPU utilisation) and wanted (CPU plus run-queue time); its runnable threads (state R at a
# sample). The dashed lines are the cores, and 1.5 x the cores where oversubscription begins.
# Reads evopar report's watch-NAME.dat (columns: t_s threads processes cpu_util wanted runnable;
# "?" where not measured).
# usage: gnuplot -e "data='FILE'; out='BASE'; n=SAMPLES; cores=C; what='DIAGNOSIS'" plots/watch.gp
if (!exists("data") || !exists("out")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'; cores=C; what='DIAGNOSIS'\" watch.gp"
	exit status 2
}
if (!exists("cores")) { cores = 0 }
if (!exists("what")) { what = "" }
if (!exists("plots")) { plots = "plots" }
set encoding utf8
set datafile missing "?"
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt 1100 1000 12
	set termoption noenhanced
	set output out.".".fmt
	set multiplot layout 3,1 title "Watched job: ".what
	set xlabel "time since the watch started (s)"
	set grid
	set key outside right top box
	set lmargin 12
	set rmargin 34
	set yrange [0:*]
	set ylabel "threads (count)"
	set y2label "processes (count)"
	set y2range [0:*]
	set y2tics
	plot data using 1:2 with steps lw 2 lc rgb "#1f77b4" title "threads", \
	     '' using 1:3 axes x1y2 with steps lw 2 lc rgb "#ff7f0e" title "processes (right axis)"
	unset y2label
	unset y2tics
	set ylabel "cores"
	if (cores > 0) {
		plot data using 1:4 with lines lw 2 lc rgb "#2ca02c" title "CPU utilisation", \
		     '' using 1:5 with lines lw 2 dt 3 lc rgb "#9467bd" title "cores wanted (run + queue)", \
		     cores with lines dt 2 lw 1.5 lc rgb "gray40" title sprintf("the %d cores", cores)
	} else {
		plot data using 1:4 with lines lw 2 lc rgb "#2ca02c" title "CPU utilisation", \
		     '' using 1:5 with lines lw 2 dt 3 lc rgb "#9467bd" title "cores wanted (run + queue)"
	}
	set ylabel "threads (count)"
	if (cores > 0) {
		plot data using 1:6 with steps lw 2 lc rgb "#d62728" title "runnable threads", \
		     cores with lines dt 2 lw 1.5 lc rgb "gray40" title sprintf("the %d cores", cores), \
		     1.5 * cores with lines dt 4 lw 1.5 lc rgb "black" title "1.5 x the cores"
	} else {
		plot data using 1:6 with steps lw 2 lc rgb "#d62728" title "runnable threads"
	}
	unset multiplot
	set output
}
