package web

import (
	"html/template"
	"net/http"
	"net/url"

	"gongkai"
)

// The receipt card: what a sender of feedback keeps of the page that shows
// the receipt code and the secret once.
//
// The card's QR code opens the lookup page with the receipt code in the
// URL's fragment (/lookup#receipt=…), which browsers never send: not to
// gongkai, not to a proxy's access log in front of it, where the code next
// to the client's address would tie an anonymous sender to their case. A
// small script on the lookup page moves the code into its field and drops
// the fragment; without JavaScript the sender types the code printed under
// the QR code. The secret is never in the QR code, not even in the
// fragment: it would stay in the browser's history and in every copy of
// the picture, and the secret travels only in POST bodies.
//
// "Save as image" is the card itself, made to be captured whole by a
// screenshot or a long press, rather than a PNG drawn by the server: the
// server would need a CJK font, which the release binary and its scratch
// container do not carry (an embedded one adds 10 MB or more to the
// binary).

// receiptCard is what the card shows beyond the case: the lookup page's
// address with the receipt code, and its QR code.
type receiptCard struct {
	LookupPage string        // the lookup page, absolute, printed on the card
	LookupURL  string        // LookupPage with the receipt in the fragment
	QR         template.HTML // inline SVG of LookupURL; empty if it could not be drawn
}

// lookupLink is the address of the lookup page with the receipt code in
// its fragment, under the site's base address.
func lookupLink(base, receipt string) string {
	return base + "/lookup#" + url.Values{"receipt": {receipt}}.Encode()
}

// newReceiptCard draws the card's QR code for the case f, titled in the
// reader's language.
func (s *Server) newReceiptCard(r *http.Request, b *base, f *gongkai.Feedback) receiptCard {
	site := s.siteBase(r)
	link := lookupLink(site, f.Receipt)
	return receiptCard{LookupPage: site + "/lookup", LookupURL: link, QR: s.qrSVG(link, b.T("查询回执二维码"))}
}
