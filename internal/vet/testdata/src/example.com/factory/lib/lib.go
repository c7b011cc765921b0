// A library's New is none of our business.
package lib

func New() (int, error) { return 0, nil }
