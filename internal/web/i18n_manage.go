package web

// englishManage translates the texts of manage.go and its templates.
var englishManage = map[string]string{}
