# Threads of each search: the most a trial saw in its process, the peak over the whole process
# tree (sampled by evopar bench) and jobs x BLAS threads, against the cores. Reads evopar
# report's threads.dat (columns: "label" per_process tree jobs_x_blas; "?" where not measured,
# left blank: no bar rather than a bar at 0).
# usage: gnuplot -e "data='FILE'; out='BASE'; n=SEARCHES; cores=C" plots/threads_search.gp
if (!exists("data") || !exists("out") || !exists("n")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'; n=SEARCHES; cores=C\" threads_search.gp"
	exit status 2
}
if (!exists("cores")) { cores = 0 }
if (!exists("plots")) { plots = "plots" }
set encoding utf8
# the key goes under the plot, so that the plot and the title above it have the whole width
width = 760 + 60 * (n < 20 ? n : 20)
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt width 720 11
	set termoption noenhanced
	set output out.".".fmt
	set title "Threads of each search against jobs × BLAS threads and the cores"
	set ylabel "threads (count)"
	set style data histogram
	set style histogram clustered gap 1
	set style fill solid 0.8 border -1
	set boxwidth 0.9
	set xtics rotate by 40 right nomirror
	set yrange [0:*]
	set grid ytics
	set key outside below center box maxrows 2
	set datafile missing "?"
	if (cores > 0) {
		plot data using 2:xtic(1) lc rgb "#1f77b4" title "most threads a trial saw in its process", \
		     '' using 3 lc rgb "#ff7f0e" title "threads in the whole tree (peak)", \
		     '' using 4 lc rgb "#7f7f7f" title "jobs × BLAS threads (wanted)", \
		     cores with lines dt 2 lw 1.5 lc rgb "#d62728" title sprintf("the %d cores", cores)
	} else {
		plot data using 2:xtic(1) lc rgb "#1f77b4" title "most threads a trial saw in its process", \
		     '' using 3 lc rgb "#ff7f0e" title "threads in the whole tree (peak)", \
		     '' using 4 lc rgb "#7f7f7f" title "jobs × BLAS threads (wanted)"
	}
	set output
}
