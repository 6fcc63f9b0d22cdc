# The trials of one search over time: one row per worker (thread, process or MPI rank), a bar
# per trial from its start to its end labelled with its id. Reads evopar report's trials-*.dat
# (columns: row start_s end_s id ok "worker label").
# usage: gnuplot -e "data='FILE'; out='BASE'; n=ROWS; title='...'" plots/timeline_trials.gp
if (!exists("data") || !exists("out") || !exists("n")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'; n=ROWS[; title='TEXT']\" timeline_trials.gp"
	exit status 2
}
if (!exists("title")) { title = "" }
if (!exists("plots")) { plots = "plots" }
set encoding utf8
stats data using 3 nooutput
tmax = STATS_max
# taller for more rows, within reason
height = 260 + 70 * (n < 16 ? n : 16)
ok_colour = "#1f77b4"
failed_colour = "#d62728"
set linetype 1 lc rgb ok_colour
set linetype 2 lc rgb failed_colour
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt 1100 height 12
	set termoption noenhanced
	set output out.".".fmt
	set title "Trials over time, one row per worker".(title ne "" ? "\n".title : "")
	set xlabel "time since the search started (s)"
	set ylabel "worker"
	set xrange [0:tmax * 1.02]
	set yrange [n - 0.5:-0.5]
	set grid xtics
	set key outside right top vertical box
	set style fill solid 0.75 border rgb "black"
	set lmargin 22
	plot data using (($2 + $3) / 2):1:(($3 - $2) / 2):(0.32):($5 > 0 ? 1 : 2):ytic(6) \
		with boxxyerror lc variable notitle, \
	     data using (($2 + $3) / 2):1:(sprintf("%d", $4)) with labels tc rgb "white" font "sans,11" notitle, \
	     keyentry with boxes fc rgb ok_colour title "trial (label: its id)", \
	     keyentry with boxes fc rgb failed_colour title "failed trial"
	set output
}
