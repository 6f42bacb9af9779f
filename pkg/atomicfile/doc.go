// Package atomicfile writes files so that a reader sees either a file's
// old content or its whole new content, never a partial file, and groups
// the files made from one input so that they appear together or not at
// all.
//
// Every file is first written to a temporary name beside its final one
// and renamed when complete. The temporary name records who wrote it (the
// program, its process and when that process started), so that a later
// run of the same program writing into the folder can tell a temporary
// file whose writer died (killed with SIGKILL, a power cut) from one a
// live process is still writing, and remove only the first kind.
//
// The package keeps a list of this process's temporary files: Abandon
// removes them all when the process must exit at once (a second Ctrl-C),
// and waits for a group being renamed to finish, so that not even then
// does half a group appear.
package atomicfile
