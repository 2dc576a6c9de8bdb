package web

// englishUX translates the folded staff menu, the work page's own queue,
// the bureau's entries, search snippets and upload messages.
var englishUX = map[string]string{
	"菜单": "Menu",
	"栏目": "Sections",

	// The bureau's one entry to its supervision work.
	"来信督办件": "Cases with the bureau",
}
