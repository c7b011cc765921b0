// Package loader is a stub of the careful loader.
package loader

import "plugin"

func Check(path string, p *plugin.Plugin) error {
	v, err := p.Lookup("APIVersion")
	if err != nil {
		return err
	}
	_, _ = v.(*string)
	return nil
}
