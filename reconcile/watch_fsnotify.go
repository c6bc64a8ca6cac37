package reconcile

import (
	"github.com/fsnotify/fsnotify"
)

// fsWatcher adapts fsnotify to Watcher.
type fsWatcher struct {
	w      *fsnotify.Watcher
	events chan string
	done   chan struct{}
}

// NewFSWatcher returns a Watcher backed by fsnotify (inotify on Linux,
// kqueue on BSD and macOS, ReadDirectoryChangesW on Windows).
func NewFSWatcher() (Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	fw := &fsWatcher{w: w, events: make(chan string, 1024), done: make(chan struct{})}
	go fw.pump()
	return fw, nil
}

// pump forwards fsnotify events as paths. Every operation counts: a
// rename onto a watched name arrives as Create, a chmod may be the only
// sign of a replaced file on some systems, and a Remove or Rename of a
// watched file is a change too.
func (f *fsWatcher) pump() {
	defer close(f.events)
	for {
		select {
		case ev, ok := <-f.w.Events:
			if !ok {
				return
			}
			select {
			case f.events <- ev.Name:
			case <-f.done:
				return
			}
		case <-f.done:
			return
		}
	}
}

func (f *fsWatcher) Add(dir string) error    { return f.w.Add(dir) }
func (f *fsWatcher) Remove(dir string) error { return f.w.Remove(dir) }
func (f *fsWatcher) Events() <-chan string   { return f.events }
func (f *fsWatcher) Errors() <-chan error    { return f.w.Errors }

func (f *fsWatcher) Close() error {
	select {
	case <-f.done:
	default:
		close(f.done)
	}
	return f.w.Close()
}
