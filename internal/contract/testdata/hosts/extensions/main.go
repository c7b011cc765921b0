// Command extensions asserts symbols to several interfaces in the ways
// that tell alternatives (one of them must hold) from optional
// extensions (used when present, after the required one held).
package main

import (
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"plugin"
)

func main() {
	p, err := plugin.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	if err := extension(p); err != nil {
		log.Fatal(err)
	}
	sequential(p)
	if err := upfront(p); err != nil {
		log.Fatal(err)
	}
}

// extension: Ext must be a fmt.Stringer; being an io.Closer too is an
// optional extension.
func extension(p *plugin.Plugin) error {
	sym, err := p.Lookup("Ext")
	if err != nil {
		return err
	}
	s, ok := sym.(fmt.Stringer)
	if !ok {
		return errors.New("Ext: unknown type")
	}
	if c, ok := sym.(io.Closer); ok {
		defer c.Close()
	}
	fmt.Println(s.String())
	return nil
}

// sequential: Seq is a fmt.Stringer or an io.Closer, tried in turn (the
// second is tried on the first's failure path: an alternative, although
// its own failure is tolerated).
func sequential(p *plugin.Plugin) {
	sym, err := p.Lookup("Seq")
	if err != nil {
		log.Fatal(err)
	}
	if s, ok := sym.(fmt.Stringer); ok {
		fmt.Println(s.String())
		return
	}
	if c, ok := sym.(io.Closer); ok {
		c.Close()
		return
	}
	fmt.Println("Seq: nothing to do")
}

// upfront: both assertions first, then the choice (lura's older loaders).
func upfront(p *plugin.Plugin) (err error) {
	var r interface{}
	r, err = p.Lookup("Up")
	if err != nil {
		return
	}
	s, sOK := r.(fmt.Stringer)
	c, cOK := r.(io.Closer)
	if sOK {
		fmt.Println(s.String())
	} else if cOK {
		c.Close()
	} else {
		return errors.New("Up: unknown type")
	}
	return
}
