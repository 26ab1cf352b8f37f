// The swap area and the swap cache (Linux's mm/swapfile.c and mm/swap_state.c). One area
// (type 0) of `--swap` bytes kept in host memory, allocated in chunks as slots are first
// written, so a large area costs nothing until used. swap_map counts, per slot, the PTEs
// holding its swap entry; the swap cache maps a slot to the frame holding its contents while
// some process still maps that frame (or swapped it back in), so a frame shared copy-on-write
// after fork is written to swap once, and a swap-in by one process is found by the others.
// A cached frame holds one reference of the cache's own and is never written: every PTE
// mapping it is read-only (do_swap_page maps it copy-on-write while the slot has other users),
// so its contents always equal the slot's.
import type { Mmu } from '../../src/mmu/mmu.js';
import { PAGE_SHIFT, PAGE_SIZE, type PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { SWP_MAX_OFFSET, swpEntry, swpOffset } from '../../src/mmu/swapEntry.js';

/** Slots per lazily allocated chunk of host memory (64 KiB). */
const CHUNK_SLOTS = 16;
/** The largest area one swap type can address: 2^18 slots of 4 KiB (slot 0 is the header). */
export const MAX_SWAP_BYTES = (SWP_MAX_OFFSET + 1) * PAGE_SIZE;

export interface SwapStats {
  /** Pages written to a swap slot. */
  swapOuts: number;
  /** Pages read back from a slot into a new frame (swap-cache hits are not counted). */
  swapIns: number;
  /** Swap-ins that found the page in the swap cache. */
  cacheHits: number;
}

export class SwapArea {
  readonly mem: PhysicalMemory;
  readonly mmu: Mmu;
  /** Slots, including slot 0 which is never handed out (Linux keeps the swap header there). */
  readonly slots: number;
  /** swap_map: PTEs referring to each slot. */
  private readonly swapMap: Uint32Array;
  /** Slots allocated (referenced by a PTE or the swap cache). */
  private readonly busy: Uint8Array;
  private readonly chunks: Array<Uint8Array | undefined>;
  /** The swap cache: slot → frame, and the reverse. */
  readonly cache = new Map<number, number>();
  readonly frameSlot = new Map<number, number>();
  /** Slots in use. */
  inuse = 0;
  private cursor = 1;
  readonly stats: SwapStats = { swapOuts: 0, swapIns: 0, cacheHits: 0 };

  constructor(mem: PhysicalMemory, mmu: Mmu, bytes: number) {
    this.mem = mem;
    this.mmu = mmu;
    this.slots = Math.min(SWP_MAX_OFFSET + 1, Math.floor(bytes / PAGE_SIZE));
    this.swapMap = new Uint32Array(this.slots);
    this.busy = new Uint8Array(this.slots);
    this.chunks = new Array(Math.ceil(this.slots / CHUNK_SLOTS));
    mem.totalSwapPages = this.totalPages;
  }

  /** Usable slots (SwapTotal). */
  get totalPages(): number {
    return Math.max(0, this.slots - 1);
  }

  get freePages(): number {
    return this.totalPages - this.inuse;
  }

  /** get_swap_page: a free slot (next fit from the last one), or -1 when the area is full. */
  allocSlot(): number {
    if (this.inuse >= this.totalPages) return -1;
    for (let n = 0; n < this.slots; n++) {
      const s = this.cursor;
      this.cursor = this.cursor + 1 >= this.slots ? 1 : this.cursor + 1;
      if (s !== 0 && !this.busy[s]) {
        this.busy[s] = 1;
        this.inuse++;
        return s;
      }
    }
    return -1;
  }

  /** The bytes of slot (its chunk allocated on first use). */
  private slotBytes(slot: number): Uint8Array {
    const c = Math.floor(slot / CHUNK_SLOTS);
    let chunk = this.chunks[c];
    if (chunk === undefined) chunk = this.chunks[c] = new Uint8Array(CHUNK_SLOTS * PAGE_SIZE);
    const at = (slot % CHUNK_SLOTS) * PAGE_SIZE;
    return chunk.subarray(at, at + PAGE_SIZE);
  }

  /** swap_writepage: frame pfn's contents to slot. */
  writeSlot(slot: number, pfn: number): void {
    this.slotBytes(slot).set(this.mem.bytes.subarray(pfn << PAGE_SHIFT, (pfn + 1) << PAGE_SHIFT));
    this.stats.swapOuts++;
  }

  /** swap_readpage: slot's contents into frame pfn. */
  readSlot(slot: number, pfn: number): void {
    this.mem.bytes.set(this.slotBytes(slot), pfn << PAGE_SHIFT);
    this.stats.swapIns++;
  }

  /** add_to_swap_cache: the cache takes a reference on pfn. */
  addToSwapCache(slot: number, pfn: number): void {
    this.mem.getFrame(pfn);
    this.cache.set(slot, pfn);
    this.frameSlot.set(pfn, slot);
  }

  /** delete_from_swap_cache: drops the cache's reference (the frame may become free). */
  deleteFromSwapCache(slot: number): void {
    const pfn = this.cache.get(slot);
    if (pfn === undefined) return;
    this.cache.delete(slot);
    this.frameSlot.delete(pfn);
    if (this.mem.putFrame(pfn)) this.mmu.invalidateCode(pfn);
    this.releaseIfUnused(slot);
  }

  /** lookup_swap_cache: the frame caching the entry's slot, or -1. */
  lookup(entry: number): number {
    return this.cache.get(swpOffset(entry)) ?? -1;
  }

  /** PTEs referring to the entry's slot. */
  count(entry: number): number {
    return this.swapMap[swpOffset(entry)];
  }

  /** The PTE naming slot. */
  entryFor(slot: number): number {
    return swpEntry(0, slot);
  }

  /** swap_duplicate: one more PTE refers to the entry (fork, reclaim unmapping a mapper). */
  swapDuplicate(entry: number): void {
    this.swapMap[swpOffset(entry)]++;
  }

  /**
   * swap_free: a PTE no longer refers to the entry. With no PTE left the cached copy goes too
   * (its frame stays while processes map it) and the slot is free again.
   */
  swapFree(entry: number): void {
    const slot = swpOffset(entry);
    if (slot === 0 || slot >= this.slots || this.swapMap[slot] === 0) return;
    if (--this.swapMap[slot] > 0) return;
    if (this.cache.has(slot)) this.deleteFromSwapCache(slot);
    else this.releaseIfUnused(slot);
  }

  private releaseIfUnused(slot: number): void {
    if (this.swapMap[slot] === 0 && !this.cache.has(slot) && this.busy[slot]) {
      this.busy[slot] = 0;
      this.inuse--;
    }
  }

  /**
   * Drops cached frames nobody maps any more (their slots still hold the contents): what
   * reclaim frees first. Returns the frames freed.
   */
  shrinkCache(want: number): number {
    let freed = 0;
    for (const [slot, pfn] of this.cache) { // deleting the visited entry is safe
      if (freed >= want) break;
      if (this.mem.refcount[pfn] !== 1) continue;
      this.deleteFromSwapCache(slot);
      freed++;
    }
    return freed;
  }
}

/** The swap area of each guest memory (one per kernel; none when --swap is 0). */
const areas = new WeakMap<PhysicalMemory, SwapArea>();

/** swapon: sets up a swap area of bytes for mem (0: none). */
export function swapOn(mem: PhysicalMemory, mmu: Mmu, bytes: number): SwapArea | null {
  if (bytes < 2 * PAGE_SIZE) {
    areas.delete(mem);
    mem.totalSwapPages = 0;
    return null;
  }
  const area = new SwapArea(mem, mmu, bytes);
  areas.set(mem, area);
  return area;
}

export function swapAreaOf(mem: PhysicalMemory): SwapArea | null {
  return areas.get(mem) ?? null;
}
