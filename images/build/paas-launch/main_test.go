package main

import (
	"reflect"
	"testing"
)

func TestSplit(t *testing.T) {
	env := map[string]string{"PORT": "5000", "EMPTY": "", "NAME": "a b"}
	getenv := func(k string) string { return env[k] }
	cases := []struct {
		in    string
		words []string
		ok    bool
	}{
		{"/server -port $PORT", []string{"/server", "-port", "5000"}, true},
		{`./web "two words" 'single $PORT' ${PORT}x`, []string{"./web", "two words", "single $PORT", "5000x"}, true},
		{"app $EMPTY end", []string{"app", "end"}, true},
		{`app "$EMPTY"`, []string{"app", ""}, true},
		{`app $NAME`, []string{"app", "a b"}, true},
		{`FOO=1 app`, []string{"FOO=1", "app"}, true},
		{`a\ b c`, []string{"a b", "c"}, true},
		{"a && b", nil, false},
		{"a | b", nil, false},
		{"ls *.go", nil, false},
		{`echo "unterminated`, nil, false},
		{"echo `date`", nil, false},
		{"", nil, false},
	}
	for _, c := range cases {
		words, ok := split(c.in, getenv)
		if ok != c.ok || (ok && !reflect.DeepEqual(words, c.words)) {
			t.Errorf("split(%q) = %q, %v; want %q, %v", c.in, words, ok, c.words, c.ok)
		}
	}
}
