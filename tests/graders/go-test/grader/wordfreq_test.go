package wordfreq

import (
	"reflect"
	"testing"
)

func TestCountSimple(t *testing.T) {
	got := Count("the cat and the hat")
	want := map[string]int{"the": 2, "cat": 1, "and": 1, "hat": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Count = %v, want %v", got, want)
	}
}

func TestCountCaseAndPunctuation(t *testing.T) {
	got := Count("Go, go GO! stop.")
	want := map[string]int{"go": 3, "stop": 1}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Count = %v, want %v", got, want)
	}
}

func TestTopN(t *testing.T) {
	got := Top(map[string]int{"a": 3, "b": 5, "c": 1, "d": 5}, 3)
	want := []string{"b", "d", "a"} // by count, ties alphabetically
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Top = %v, want %v", got, want)
	}
}

func TestTopMoreThanAvailable(t *testing.T) {
	if got := Top(map[string]int{"x": 1}, 5); len(got) != 1 {
		t.Errorf("Top = %v, want one word", got)
	}
}
