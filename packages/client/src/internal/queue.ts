/**
 * A FIFO with O(1) push and shift that reuses its storage: the pending and
 * offline queues of a connection, which see one push and one shift per
 * command.
 */
export class Fifo<A> {
  private items: Array<A | undefined> = new Array(16)
  private head = 0
  private count = 0

  get length(): number {
    return this.count
  }

  push(item: A): void {
    if (this.count === this.items.length) this.grow()
    this.items[(this.head + this.count) & (this.items.length - 1)] = item
    this.count++
  }

  unshift(item: A): void {
    if (this.count === this.items.length) this.grow()
    this.head = (this.head - 1) & (this.items.length - 1)
    this.items[this.head] = item
    this.count++
  }

  peek(): A | undefined {
    return this.count === 0 ? undefined : this.items[this.head]
  }

  /** The item `index` places behind the head. */
  at(index: number): A | undefined {
    return index < this.count ? this.items[(this.head + index) & (this.items.length - 1)] : undefined
  }

  shift(): A | undefined {
    if (this.count === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) & (this.items.length - 1)
    this.count--
    return item
  }

  pop(): A | undefined {
    if (this.count === 0) return undefined
    const index = (this.head + this.count - 1) & (this.items.length - 1)
    const item = this.items[index]
    this.items[index] = undefined
    this.count--
    return item
  }

  /** Removes and returns every item, oldest first. */
  drain(): Array<A> {
    const out = new Array<A>(this.count)
    for (let i = 0; i < out.length; i++) out[i] = this.shift()!
    return out
  }

  private grow(): void {
    const next = new Array<A | undefined>(this.items.length * 2)
    for (let i = 0; i < this.count; i++) next[i] = this.items[(this.head + i) & (this.items.length - 1)]
    this.items = next
    this.head = 0
  }
}
