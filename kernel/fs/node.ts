// Synthetic file-system nodes (procfs, devfs): what path lookup finds when a name is not a
// host file. A node can be stat'ed, opened, listed, read as a link, or (for Linux's "magic"
// links such as /proc/self/fd/N) resolve straight to an already open file.
import type { DirEntry, File, Inode } from './file.js';
import type { KStat } from './stat.js';

export interface SyntheticNode {
  stat(): KStat;
  isDir?: boolean;
  open?(flags: number): Inode | number;
  readdir?(): DirEntry[];
  /** Symbolic link text. */
  readlink?(): string;
  /** For magic links: the open file to hand out instead of following the text. */
  openLinked?(): File | number;
}
