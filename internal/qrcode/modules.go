package qrcode

// Modules returns the dark modules of the QR code of text, row by row
// (modules[y][x]), without the quiet zone: for drawing the code as filled
// squares, as the printed notice's PDF does. Leave Quiet modules of light
// space around it.
func Modules(text string) ([][]bool, error) {
	qr, err := encode(text)
	if err != nil {
		return nil, err
	}
	n := qr.Size()
	out := make([][]bool, n)
	for y := range out {
		out[y] = make([]bool, n)
		for x := range out[y] {
			out[y][x] = qr.Module(x, y)
		}
	}
	return out, nil
}

// Quiet is the light border a QR code needs around it, in modules.
const Quiet = quiet
