// The page cache (Linux's struct address_space and mm/filemap.c): one AddressSpace per file
// (device, inode) in a kernel-wide table, mapping page index → guest frame. Every cached frame
// holds one reference of its own, so a frame mapped by N processes has refcount N + 1: a
// private mapping's write always copies (do_wp_page never takes over a cached frame), and the
// decoded-code cache, which is per physical frame, decodes a shared library's text once.
// Cached pages are authoritative: read()/write() of a file with an AddressSpace go through
// them (write() also writes through to the host file), file faults map them, and dirty pages
// (stores through MAP_SHARED mappings, found by their PTE dirty bits: filemap.ts) are written
// back at msync/fsync/close, when the last mm mapping the file lets go, and at emulator exit.
// Under memory pressure reclaim (vmscan.ts) unmaps cached pages and drops the ones nobody maps
// (dropPage: a dirty page is written back first); a later access reads the file again. A
// swap-backed (shmem) object's pages go to swap instead (shmem.ts shmemWriteout): `swapped`
// holds index → slot, and every lookup of such an index reads the slot back (shmem_swapin). An
// AddressSpace lives while some mm maps the file.
import type { Mmu } from '../../src/mmu/mmu.js';
import { PAGE_SHIFT, PAGE_SIZE, type PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import type { Mm } from './mmStruct.js';
import { swapAreaOf } from './swap.js';

/** Where a cached file's bytes live (the host file, or a byte array for images without one). */
export interface FileBacking {
  /** Reads up to buf.length bytes at pos; returns the count (0 at end of file). Throws on host errors. */
  readAt(pos: number, buf: Uint8Array): number;
  /** Writes all of data at pos. Throws on host errors. */
  writeAt(pos: number, data: Uint8Array): void;
  size(): number;
  close(): void;
}

export interface PageCacheStats {
  /** Pages read from the backing file into a new frame (find_or_read misses). */
  pagesRead: number;
  /** Lookups that found the page cached (hits). */
  hits: number;
  /** Dirty pages written back to the file. */
  writebacks: number;
  /** Pages reclaim dropped from the cache, and those of them it wrote back first. */
  dropped: number;
  reclaimWritebacks: number;
}

/** The page cache of each guest memory (/proc/meminfo finds it from the memory). */
const caches = new WeakMap<PhysicalMemory, PageCache>();

export function pageCacheOf(mem: PhysicalMemory): PageCache | null {
  return caches.get(mem) ?? null;
}

/** The kernel-wide table of cached files, keyed by "dev:ino". */
export class PageCache {
  readonly mem: PhysicalMemory;
  readonly mmu: Mmu;
  readonly table = new Map<string, AddressSpace>();
  readonly stats: PageCacheStats = { pagesRead: 0, hits: 0, writebacks: 0, dropped: 0, reclaimWritebacks: 0 };

  constructor(mem: PhysicalMemory, mmu: Mmu) {
    this.mem = mem;
    this.mmu = mmu;
    // The kernel's cache comes first; exec's private caches of file-less images do not count.
    if (!caches.has(mem)) caches.set(mem, this);
  }

  find(key: string): AddressSpace | undefined {
    return this.table.get(key);
  }

  /** The file's AddressSpace, made with backing() (which the cache then owns) if there is none. */
  findOrCreate(key: string, backing: () => FileBacking): AddressSpace {
    let as = this.table.get(key);
    if (as === undefined) {
      as = new AddressSpace(this, key, backing());
      this.table.set(key, as);
    }
    return as;
  }

  /** An AddressSpace outside the table over bytes in memory (an exec image without a file). */
  anonymous(bytes: Uint8Array): AddressSpace {
    return new AddressSpace(this, null, new MemoryBacking(bytes));
  }

  /** Writes back every dirty page (sync(2), emulator exit). */
  syncAll(): void {
    for (const as of [...this.table.values()]) as.writeback();
  }
}

export class AddressSpace {
  readonly cache: PageCache;
  /** "dev:ino" in the cache's table, or null for an anonymous image. */
  readonly key: string | null;
  private readonly backing: FileBacking;
  /** Page index → frame number; each frame holds one reference owned by the cache. */
  readonly pages = new Map<number, number>();
  /** Indexes of pages whose frames are newer than the file. */
  readonly dirty = new Set<number>();
  /** The file's size in bytes as this kernel knows it (faults past it get SIGBUS). */
  size: number;
  /**
   * Address spaces with an area mapping this file (Linux's i_mmap, per mm rather than per
   * area): writeback looks for dirty PTEs and truncate unmaps pages in these.
   */
  readonly mms = new Set<Mm>();
  /** Set once the frames were dropped and the backing closed; a released object is never used again. */
  released = false;
  /**
   * A shmem object (shmem.ts): no file behind it, its frames are the only copy of the data, so
   * writeback has nowhere to go and reclaim never drops a page: it can only move it to swap.
   */
  swapBacked = false;
  /**
   * A shmem object's pages out on swap: page index → swap slot (the slot's swap_map count is
   * this object's one reference). Never in `pages` at the same time.
   */
  readonly swapped = new Map<number, number>();
  /**
   * Run at writeback to move PTE dirty bits into `dirty` (filemap.ts's harvest, set there to
   * keep this file free of page-table code).
   */
  static harvest: (as: AddressSpace) => void = () => {};
  /** Unmaps the pages at and above index from every mm (filemap.ts, for truncate). */
  static unmapFrom: (as: AddressSpace, index: number) => void = () => {};

  constructor(cache: PageCache, key: string | null, backing: FileBacking) {
    this.cache = cache;
    this.key = key;
    this.backing = backing;
    this.size = backing.size();
  }

  /** find_get_page: the cached frame of page index, or -1. */
  findGetPage(index: number): number {
    return this.pages.get(index) ?? -1;
  }

  /**
   * The frame caching page index, read from the file into a new frame on a miss (bytes past
   * the end of the file are zero). The caller takes its own reference if it maps the frame.
   */
  findOrReadPage(index: number): number {
    const cached = this.pages.get(index);
    if (cached !== undefined) {
      this.cache.stats.hits++;
      return cached;
    }
    const mem = this.cache.mem;
    const pfn = mem.allocFrame();
    // Reclaim during the allocation cannot touch a swapped index: it has no page to write out.
    const slot = this.swapped.get(index);
    if (slot !== undefined) {
      // shmem_swapin_folio: the slot's contents come back, and the slot is freed.
      const swap = swapAreaOf(mem)!;
      swap.readSlot(slot, pfn);
      this.swapped.delete(index);
      swap.swapFree(swap.entryFor(slot));
      this.pages.set(index, pfn);
      return pfn;
    }
    const pos = index * PAGE_SIZE;
    if (pos < this.size) {
      const dst = mem.bytes.subarray(pfn << PAGE_SHIFT, (pfn << PAGE_SHIFT) + Math.min(PAGE_SIZE, this.size - pos));
      let done = 0;
      while (done < dst.length) {
        const n = this.backing.readAt(pos + done, dst.subarray(done));
        if (n <= 0) break;
        done += n;
      }
    }
    this.pages.set(index, pfn);
    this.cache.stats.pagesRead++;
    return pfn;
  }

  /**
   * read(2) at pos: cached pages from their frames (they may hold stores not yet written
   * back), the others straight from the file. Throws on host errors.
   */
  read(pos: number, len: number): Uint8Array {
    const n = Math.max(0, Math.min(len, this.size - pos));
    const out = new Uint8Array(n);
    const mem = this.cache.mem.bytes;
    let done = 0;
    while (done < n) {
      const at = pos + done;
      const index = Math.floor(at / PAGE_SIZE);
      const inPage = at % PAGE_SIZE;
      const chunk = Math.min(PAGE_SIZE - inPage, n - done);
      const pfn = this.swapped.has(index) ? this.findOrReadPage(index) : this.pages.get(index);
      if (pfn !== undefined) {
        const src = (pfn << PAGE_SHIFT) + inPage;
        out.set(mem.subarray(src, src + chunk), done);
      } else {
        let got = 0;
        while (got < chunk) {
          const r = this.backing.readAt(at + got, out.subarray(done + got, done + chunk));
          if (r <= 0) break;
          got += r;
        }
      }
      done += chunk;
    }
    return out;
  }

  /**
   * write(2) at pos: written through to the file and copied into the cached pages it covers,
   * so every mapping of them sees it at once. Throws on host errors (nothing is cached then).
   */
  write(pos: number, data: Uint8Array): void {
    this.backing.writeAt(pos, data);
    const mem = this.cache.mem.bytes;
    let done = 0;
    while (done < data.length) {
      const at = pos + done;
      const index = Math.floor(at / PAGE_SIZE);
      const inPage = at % PAGE_SIZE;
      const chunk = Math.min(PAGE_SIZE - inPage, data.length - done);
      const pfn = this.swapped.has(index) ? this.findOrReadPage(index) : this.pages.get(index);
      if (pfn !== undefined) {
        mem.set(data.subarray(done, done + chunk), (pfn << PAGE_SHIFT) + inPage);
        // A frame some process runs code from is decoded again (the CPU's cache is per frame).
        this.cache.mmu.invalidateCode(pfn);
      }
      done += chunk;
    }
    if (pos + data.length > this.size) this.size = pos + data.length;
  }

  /** The whole file as one array (the exec image the ELF parser reads). */
  readAll(): Uint8Array {
    return this.read(0, this.size);
  }

  /**
   * The file was truncated (or extended) to len on the host: pages wholly past the new end are
   * unmapped from every process (a later access gets SIGBUS) and dropped from the cache, and
   * the tail of a partial last page reads as zeros again (truncate_pagecache).
   */
  truncate(len: number): void {
    const firstGone = Math.ceil(len / PAGE_SIZE);
    if (len < this.size) {
      AddressSpace.unmapFrom(this, firstGone);
      for (const [index, pfn] of [...this.pages]) {
        if (index < firstGone) continue;
        this.pages.delete(index);
        this.dirty.delete(index);
        this.putPage(pfn);
      }
      for (const index of [...this.swapped.keys()]) if (index >= firstGone) this.freeSwapped(index);
      const partial = this.pages.get(Math.floor(len / PAGE_SIZE));
      if (partial !== undefined && len % PAGE_SIZE !== 0) {
        this.cache.mem.bytes.fill(0, (partial << PAGE_SHIFT) + (len % PAGE_SIZE), (partial + 1) << PAGE_SHIFT);
        this.cache.mmu.invalidateCode(partial);
      }
    }
    this.size = len;
  }

  /**
   * Whether reclaim may drop this file's pages: only with a host file to read them back from
   * (an exec image without a file stays resident; a swap-backed shmem object's pages go to
   * swap instead, shmem.ts shmemWriteout).
   */
  get reclaimable(): boolean {
    return this.key !== null && !this.released && (this as { swapBacked?: boolean }).swapBacked !== true;
  }

  /**
   * Reclaim drops page index, which no process maps (only the cache's reference is left):
   * written back first when dirty. Returns false (the page stays) when the write fails.
   */
  dropPage(index: number): boolean {
    const pfn = this.pages.get(index);
    if (pfn === undefined || this.cache.mem.refcount[pfn] !== 1) return false;
    if (this.dirty.has(index)) {
      const pos = index * PAGE_SIZE;
      try {
        if (pos < this.size) {
          const len = Math.min(PAGE_SIZE, this.size - pos);
          this.backing.writeAt(pos, this.cache.mem.bytes.slice(pfn << PAGE_SHIFT, (pfn << PAGE_SHIFT) + len));
        }
      } catch {
        return false;
      }
      this.dirty.delete(index);
      this.cache.stats.writebacks++;
      this.cache.stats.reclaimWritebacks++;
    }
    this.pages.delete(index);
    this.putPage(pfn);
    this.cache.stats.dropped++;
    return true;
  }

  /** A shmem page out on swap is discarded (hole punch, truncate, the object's end): its slot is freed. */
  freeSwapped(index: number): void {
    const slot = this.swapped.get(index);
    if (slot === undefined) return;
    this.swapped.delete(index);
    const swap = swapAreaOf(this.cache.mem);
    swap?.swapFree(swap.entryFor(slot));
  }

  /** Marks page index newer than the file (set_page_dirty). */
  setPageDirty(index: number): void {
    if (this.pages.has(index)) this.dirty.add(index);
  }

  /**
   * Writes the dirty pages back to the file (the part of each below the file's size) after
   * collecting the dirty bits of the PTEs mapping them. Returns how many pages were written;
   * throws on host errors (the pages stay dirty).
   */
  writeback(): number {
    if (this.released || this.swapBacked) return 0;
    AddressSpace.harvest(this);
    if (this.dirty.size === 0) return 0;
    const mem = this.cache.mem.bytes;
    let n = 0;
    for (const index of [...this.dirty].sort((a, b) => a - b)) {
      const pfn = this.pages.get(index);
      const pos = index * PAGE_SIZE;
      if (pfn !== undefined && pos < this.size) {
        const len = Math.min(PAGE_SIZE, this.size - pos);
        this.backing.writeAt(pos, mem.slice(pfn << PAGE_SHIFT, (pfn << PAGE_SHIFT) + len));
        n++;
      }
      this.dirty.delete(index);
    }
    this.cache.stats.writebacks += n;
    return n;
  }

  /** An mm maps this file from now on (called by mmap_region and fork). */
  attach(mm: Mm): void {
    this.mms.add(mm);
  }

  /**
   * mm no longer maps this file (its PTE dirty bits were harvested before the unmap). When it
   * was the last, the pages are written back and dropped and the backing closed.
   */
  detach(mm: Mm): void {
    this.mms.delete(mm);
    if (this.mms.size === 0) this.release();
  }

  /** The last opener closed the file: an AddressSpace that no mm maps goes. */
  releaseIfUnmapped(): void {
    if (this.mms.size === 0) this.release();
  }

  private release(): void {
    if (this.released) return;
    try {
      this.writeback();
    } catch { /* the host file is gone or read-only: the data is lost, as after an EIO */ }
    for (const pfn of this.pages.values()) this.putPage(pfn);
    this.pages.clear();
    for (const index of [...this.swapped.keys()]) this.freeSwapped(index);
    this.dirty.clear();
    this.released = true;
    this.backing.close();
    if (this.key !== null && this.cache.table.get(this.key) === this) this.cache.table.delete(this.key);
  }

  /** Drops the cache's reference; a freed frame loses its decoded code. */
  private putPage(pfn: number): void {
    if (this.cache.mem.putFrame(pfn)) this.cache.mmu.invalidateCode(pfn);
  }
}

/** A backing over bytes in memory (never written: images without a file are mapped privately). */
export class MemoryBacking implements FileBacking {
  private bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  readAt(pos: number, buf: Uint8Array): number {
    const n = Math.max(0, Math.min(buf.length, this.bytes.length - pos));
    buf.set(this.bytes.subarray(pos, pos + n));
    return n;
  }

  writeAt(pos: number, data: Uint8Array): void {
    if (pos + data.length > this.bytes.length) {
      const grown = new Uint8Array(pos + data.length);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(data, pos);
  }

  size(): number {
    return this.bytes.length;
  }

  close(): void {}
}
