# Experiment 5: simulated steps per second of the evaluate phase against the population, one
# line per evaluator (one core, all cores, the GPU), log-log; a missing point is NaN.
# data: columns population, then per evaluator median, low, high (evopar report --verdict: reports/evaluate_sections.c)
# usage: gnuplot -e "data='rates-dynamic.dat'; out='rates-dynamic'; what='dynamic'" plots/rates.gp
if (!exists("data") || !exists("out")) {
	print "usage: gnuplot -e \"data='FILE'; out='BASE'[; what='..']\" rates.gp"
	exit status 2
}
if (!exists("what")) { what = "" }
if (!exists("plots")) { plots = "plots" }
set encoding utf8
set termoption noenhanced
call plots."/term.gp"
do for [fmt in formats] {
	call plots."/term.gp" fmt 900 560 12
	set output out.".".fmt
	set title "Evaluate phase, ".what." networks: survived steps per second (median, bars min–max)"
	set xlabel "population (networks)"
	set ylabel "steps per second"
	set logscale xy
	set grid xtics ytics mxtics mytics
	set key left top box
	plot data using 1:2:3:4 with yerrorlines lw 2 pt 7 title "one CPU core", \
	     data using 1:5:6:7 with yerrorlines lw 2 pt 5 title "all CPU cores", \
	     data using 1:8:9:10 with yerrorlines lw 2 pt 9 title "GPU"
	set output
}
