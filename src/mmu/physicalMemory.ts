// Guest physical memory: one byte array, a DataView over it, and a frame allocator with
// per-frame reference counts (shared and copy-on-write frames count their mappers). When no
// frame is free, allocFrame first asks the kernel's reclaim hook (direct reclaim) to free some.
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 4096;
export const PAGE_MASK = ~(PAGE_SIZE - 1);

/** Frames one direct reclaim tries to free (Linux's SWAP_CLUSTER_MAX), amortising its scan. */
export const RECLAIM_BATCH = 32;

export class OutOfFramesError extends Error {}

export class PhysicalMemory {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  readonly frameCount: number;
  /** Reference count per frame; 0 means free. Frame 0 is reserved so that 0 never names a real page. */
  readonly refcount: Uint32Array;
  private readonly freeStack: Int32Array;
  private freeTop = 0;
  private nextUntouched = 1;
  framesInUse = 0;
  /** The most frames ever in use at once (a process frees its own at exit). */
  peakFramesInUse = 0;
  /** Pages of swap the kernel set up (0: none); the MMU ignores it, overcommit and /proc count it. */
  totalSwapPages = 0;
  /**
   * Direct reclaim, installed by the kernel: frees up to `want` frames (swapping out, dropping
   * cache) and returns how many it freed. Not re-entered: an allocation made while reclaiming
   * fails rather than recursing.
   */
  reclaim: ((want: number) => number) | null = null;
  private reclaiming = false;

  constructor(sizeBytes = 512 * 1024 * 1024) {
    this.frameCount = Math.floor(sizeBytes / PAGE_SIZE);
    // A SharedArrayBuffer because V8 does not count it as external memory: a plain 2 GiB
    // ArrayBuffer made the start of every run pay for full garbage collections ("external
    // memory pressure") although the host pages are only faulted in as frames are first used.
    // Element access through the views is as fast as on an ArrayBuffer.
    this.bytes = new Uint8Array(new SharedArrayBuffer(this.frameCount * PAGE_SIZE));
    this.dv = new DataView(this.bytes.buffer);
    this.refcount = new Uint32Array(this.frameCount);
    this.freeStack = new Int32Array(this.frameCount);
    this.refcount[0] = 1;
  }

  /** Allocates a zeroed frame and returns its frame number (refcount 1). */
  allocFrame(): number {
    let pfn: number;
    if (this.freeTop > 0) {
      pfn = this.freeStack[--this.freeTop];
      this.bytes.fill(0, pfn << PAGE_SHIFT, (pfn + 1) << PAGE_SHIFT);
    } else if (this.nextUntouched < this.frameCount) {
      pfn = this.nextUntouched++; // never used, so still zero
    } else {
      return this.allocAfterReclaim();
    }
    this.refcount[pfn] = 1;
    if (++this.framesInUse > this.peakFramesInUse) this.peakFramesInUse = this.framesInUse;
    return pfn;
  }

  /** The slow path of allocFrame: no frame is free until reclaim frees some. */
  private allocAfterReclaim(): number {
    if (this.reclaim === null || this.reclaiming) throw new OutOfFramesError('out of physical frames');
    this.reclaiming = true;
    let freed: number;
    try {
      freed = this.reclaim(RECLAIM_BATCH);
    } finally {
      this.reclaiming = false;
    }
    if (freed <= 0 || this.freeTop === 0) throw new OutOfFramesError('out of physical frames');
    return this.allocFrame();
  }

  getFrame(pfn: number): void {
    this.refcount[pfn]++;
  }

  /** Drops one reference; returns true when the frame became free. */
  putFrame(pfn: number): boolean {
    if (pfn === 0 || this.refcount[pfn] === 0) return false;
    if (--this.refcount[pfn] === 0) {
      this.freeStack[this.freeTop++] = pfn;
      this.framesInUse--;
      return true;
    }
    return false;
  }

  freeFrames(): number {
    return this.frameCount - this.framesInUse - 1;
  }
}
