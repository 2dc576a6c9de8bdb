package e2e

import "gongkai/internal/scrub/scrubtest"

// textPDF is a small, well-formed PDF of one page with the ASCII text on
// it, which the personal-data scan can read (a PDF without text cannot be
// checked and stops a submission). note goes into a comment, to make files
// of the same text differ.
func textPDF(note, text string) []byte { return scrubtest.PlainPDF(note, text) }
