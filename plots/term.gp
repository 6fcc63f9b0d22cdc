# The terminal of one format of a figure, shared by every script here.
#   call plots."/term.gp"                        sets `formats`: png svg, and pdf where pdfcairo is
#   call plots."/term.gp" FMT WIDTH HEIGHT FONT  sets the terminal for FMT at a layout of
#                                                WIDTH x HEIGHT screen pixels and a FONT-point font
# png: print resolution, the layout at 3x (300 dpi for a figure WIDTH/100 inches wide), fonts and
# lines scaled alike; svg: the screen size; pdf (pdfcairo, for LaTeX): the same layout in inches
# at 100 pixels an inch, fonts in points scaled alike, so that nothing moves from one to another.
if (ARGC == 0) {
	formats = "png svg".(strstrt(GPVAL_TERMINALS, "pdfcairo") > 0 ? " pdf" : "")
} else {
	term_w = ARG2 + 0
	term_h = ARG3 + 0
	term_font = sprintf("sans,%g", ARG4 + 0)
	if (ARG1 eq "png") {
		if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
			set terminal pngcairo size 3 * term_w, 3 * term_h font term_font fontscale 3 linewidth 3 pointscale 3
		} else {
			set terminal png size term_w, term_h font term_font
		}
	}
	if (ARG1 eq "svg") { set terminal svg size term_w, term_h font term_font dynamic }
	if (ARG1 eq "pdf") {
		set terminal pdfcairo size term_w / 100.0, term_h / 100.0 font term_font fontscale 0.72
	}
	set termoption noenhanced
}
