package initio

import (
	"go/types"
	"maps"
	"sync"
)

// A sink is a standard library function or method whose call is an
// effect a plugin's package initialization must not have.
type sink struct {
	kind string // kindIO, kindExit, kindBlock, kindPanic
	what string // "does file I/O", "does network I/O", ...
}

var (
	fileIO  = sink{kindIO, "does file I/O"}
	netIO   = sink{kindIO, "does network I/O"}
	process = sink{kindIO, "starts a process"}
	dbIO    = sink{kindIO, "opens a database (database/sql)"}
	sysIO   = sink{kindIO, "makes a system call"}
	plugIO  = sink{kindIO, "opens another plugin"}
	exits   = sink{kindExit, "exits the process"}
	panics  = sink{kindPanic, "panics"}
	sleeps  = sink{kindBlock, "sleeps"}
)

// sinks maps a package path to its sink functions ("Name") and methods
// ("Type.Name"; "Type.*" for every method of the type). It is built on
// first use: every pluginctl command links this package, few run it.
var sinks = sync.OnceValue(func() map[string]map[string]sink {
	return map[string]map[string]sink{
		"os": merge(names(fileIO, "Open", "OpenFile", "OpenRoot", "OpenInRoot", "Create", "ReadFile", "WriteFile", "ReadDir",
			"Mkdir", "MkdirAll", "MkdirTemp", "CreateTemp", "Remove", "RemoveAll", "Rename", "Stat", "Lstat", "Chdir",
			"Chmod", "Chown", "Lchown", "Chtimes", "Symlink", "Link", "Readlink", "Truncate", "CopyFS", "Pipe",
			"File.*", "Root.*"),
			names(process, "StartProcess", "FindProcess", "Process.*"),
			names(exits, "Exit")),
		"io/ioutil":     names(fileIO, "ReadFile", "WriteFile", "ReadDir", "TempFile", "TempDir"),
		"path/filepath": names(fileIO, "Walk", "WalkDir", "Glob", "EvalSymlinks"),
		"net": names(netIO, "Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix", "Listen", "ListenPacket",
			"ListenTCP", "ListenUDP", "ListenIP", "ListenUnix", "ListenUnixgram", "ListenMulticastUDP",
			"LookupHost", "LookupIP", "LookupAddr", "LookupCNAME", "LookupMX", "LookupTXT", "LookupSRV", "LookupNS",
			"LookupPort", "ResolveTCPAddr", "ResolveUDPAddr", "ResolveIPAddr", "Interfaces", "InterfaceAddrs",
			"InterfaceByName", "InterfaceByIndex", "Dialer.*", "Resolver.*", "ListenConfig.*"),
		"net/http": names(netIO, "Get", "Post", "PostForm", "Head", "ListenAndServe", "ListenAndServeTLS", "Serve",
			"ServeTLS", "Client.Do", "Client.Get", "Client.Post", "Client.PostForm", "Client.Head",
			"Server.ListenAndServe", "Server.ListenAndServeTLS", "Server.Serve", "Server.ServeTLS"),
		"net/rpc":               names(netIO, "Dial", "DialHTTP", "DialHTTPPath"),
		"net/rpc/jsonrpc":       names(netIO, "Dial"),
		"net/smtp":              names(netIO, "Dial", "SendMail"),
		"crypto/tls":            names(netIO, "Dial", "DialWithDialer", "Listen", "LoadX509KeyPair"),
		"os/exec":               names(process, "Cmd.Run", "Cmd.Start", "Cmd.Output", "Cmd.CombinedOutput", "LookPath"),
		"database/sql":          names(dbIO, "Open", "OpenDB", "DB.*"),
		"plugin":                names(plugIO, "Open"),
		"html/template":         names(fileIO, "ParseFiles", "ParseGlob", "Template.ParseFiles", "Template.ParseGlob"),
		"text/template":         names(fileIO, "ParseFiles", "ParseGlob", "Template.ParseFiles", "Template.ParseGlob"),
		"time":                  names(sleeps, "Sleep"),
		"runtime":               names(exits, "Goexit"),
		"log":                   merge(names(exits, "Fatal", "Fatalf", "Fatalln", "Logger.Fatal", "Logger.Fatalf", "Logger.Fatalln"), names(panics, "Panic", "Panicf", "Panicln", "Logger.Panic", "Logger.Panicf", "Logger.Panicln")),
		"syscall":               syscalls(),
		"golang.org/x/sys/unix": syscalls(),
	}
})

func syscalls() map[string]sink {
	return merge(names(sysIO, "Open", "Openat", "Creat", "Read", "Pread", "Write", "Pwrite", "Close", "Socket",
		"Connect", "Bind", "Listen", "Accept", "Accept4", "Sendto", "Recvfrom", "Exec", "ForkExec", "StartProcess",
		"Kill", "Mkdir", "Mkdirat", "Unlink", "Unlinkat", "Rmdir", "Rename", "Renameat", "Stat", "Lstat", "Fstat",
		"Dup", "Dup2", "Dup3", "Mount", "Unmount", "Syscall", "Syscall6", "RawSyscall", "RawSyscall6", "Ioctl"),
		names(exits, "Exit"))
}

func names(s sink, ns ...string) map[string]sink {
	m := make(map[string]sink, len(ns))
	for _, n := range ns {
		m[n] = s
	}
	return m
}

func merge(ms ...map[string]sink) map[string]sink {
	out := map[string]sink{}
	for _, m := range ms {
		maps.Copy(out, m)
	}
	return out
}

// lookupSink returns the sink fn is, if any.
func lookupSink(fn *types.Func) (sink, bool) {
	if fn.Pkg() == nil {
		return sink{}, false
	}
	m := sinks()[fn.Pkg().Path()]
	if fn.Signature().Recv() == nil {
		s, ok := m[fn.Name()]
		return s, ok
	}
	tn := recvName(fn)
	if tn == "" {
		return sink{}, false
	}
	if s, ok := m[tn+"."+fn.Name()]; ok {
		return s, true
	}
	s, ok := m[tn+".*"]
	return s, ok && fn.Name() != "Name" && fn.Name() != "Fd"
}
