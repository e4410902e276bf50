//! Spreading independent work over every core, with results in input order, so output never
//! depends on the number of cores or on scheduling.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread;

/// The cores gen may use. The standard library reads the cgroup's CPU quota from `/proc` and
/// `/sys` on every call (a dozen system calls); the answer does not change while gen runs, and
/// work too small to split never asks.
pub fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `work` applied to consecutive chunks of `items`, spread over the cores; the results come back
/// in the order of the chunks. Every chunk but the last holds at least `min_chunk` items, so
/// small inputs stay on one thread.
pub fn map_chunks<T, R, F>(items: &[T], min_chunk: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> R + Sync,
{
    // Too few to split, whatever the cores: do not ask how many there are.
    if items.len() <= min_chunk {
        return vec![work(items)];
    }
    map_chunks_on(cores(), items, min_chunk, work)
}

/// Frees `value` on a thread of its own, for large trees whose freeing, node by node, would hold
/// up the work that follows; nothing waits for it.
pub fn free_in_background<T: Send + 'static>(value: T) {
    thread::spawn(move || drop(value));
}

/// `first()` and `second()`, side by side when `in_parallel` (a thread costs more than small
/// work saves), else one after the other; a panic in either is resumed here.
pub fn join<A, B, FA, FB>(in_parallel: bool, first: FA, second: FB) -> (A, B)
where
    A: Send,
    B: Send,
    FA: FnOnce() -> A + Send,
    FB: FnOnce() -> B + Send,
{
    if !in_parallel || cores() < 2 {
        return (first(), second());
    }
    thread::scope(|scope| {
        let second = scope.spawn(second);
        let first = first();
        match second.join() {
            Ok(second) => (first, second),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// [`map_chunks`] on owned items: each chunk is moved to its worker, which may free every item
/// as soon as it is done with it.
pub fn map_owned_chunks<T, R, F>(items: Vec<T>, min_chunk: usize, work: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(Vec<T>) -> R + Sync,
{
    if items.len() <= min_chunk {
        return vec![work(items)];
    }
    map_owned_chunks_on(cores(), items, min_chunk, work)
}

fn map_owned_chunks_on<T, R, F>(workers: usize, mut items: Vec<T>, min_chunk: usize, work: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(Vec<T>) -> R + Sync,
{
    let size = chunk_size(items.len(), workers, min_chunk);
    if items.len() <= size || workers < 2 {
        return vec![work(items)];
    }
    // Split from the back, so only the moved tail is copied each time.
    let mut chunks = Vec::with_capacity(items.len().div_ceil(size));
    while items.len() > size {
        let start = (items.len() - 1) / size * size;
        chunks.push(items.split_off(start));
    }
    chunks.push(items);
    chunks.reverse();
    shared_by_workers(workers, chunks, &work)
}

fn map_chunks_on<T, R, F>(workers: usize, items: &[T], min_chunk: usize, work: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> R + Sync,
{
    let size = chunk_size(items.len(), workers, min_chunk);
    if items.len() <= size || workers < 2 {
        return vec![work(items)];
    }
    shared_by_workers(workers, items.chunks(size), &work)
}

/// Chunks of at least `min_chunk` items (the last one may hold fewer), and a few dozen per worker
/// where there are enough items: each worker takes the next chunk when it is done with one, so a
/// core that falls behind (a virtual CPU descheduled, a chunk heavier than the others) holds up
/// the end by one small chunk, not by half the work.
fn chunk_size(items: usize, workers: usize, min_chunk: usize) -> usize {
    items.div_ceil(workers * CHUNKS_PER_WORKER).max(min_chunk).max(1)
}

const CHUNKS_PER_WORKER: usize = 32;

/// `work` on each chunk, by up to `workers` workers (this thread and the others it starts), each
/// taking the next chunk when it is done with one; the results in the order of the chunks.
///
/// A panic is resumed here once every worker has stopped: the panic of the first chunk (in input
/// order) that panicked, whatever the scheduling, as on one thread. After a panic no worker takes
/// another chunk; every chunk before the panicking one had been taken already, so each ran.
fn shared_by_workers<C, R, F>(workers: usize, chunks: impl IntoIterator<Item = C>, work: &F) -> Vec<R>
where
    C: Send,
    R: Send,
    F: Fn(C) -> R + Sync,
{
    let chunks: Vec<C> = chunks.into_iter().collect();
    let count = chunks.len();
    let queue = Mutex::new(chunks.into_iter().enumerate());
    let stop = AtomicBool::new(false);
    // Taking a chunk cannot panic, so the lock is never poisoned; if it were, the queue is intact.
    let next = || {
        if stop.load(Ordering::Relaxed) {
            return None;
        }
        queue.lock().unwrap_or_else(PoisonError::into_inner).next()
    };
    let worker = || {
        let mut done = Vec::new();
        while let Some((index, chunk)) = next() {
            // The chunk's own data is not used again after a panic: only its payload is kept.
            let result = panic::catch_unwind(AssertUnwindSafe(|| work(chunk)));
            let panicked = result.is_err();
            done.push((index, result));
            if panicked {
                stop.store(true, Ordering::Relaxed);
                break;
            }
        }
        done
    };
    let mut done = thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers.min(count)).map(|_| scope.spawn(worker)).collect();
        let mut done = worker();
        for helper in helpers {
            // A worker catches its chunks' panics: joining fails only if that machinery did.
            done.extend(helper.join().unwrap_or_else(|panic| panic::resume_unwind(panic)));
        }
        done
    });
    done.sort_unstable_by_key(|(index, _)| *index);
    done.into_iter()
        .map(|(_, result)| result.unwrap_or_else(|panic| panic::resume_unwind(panic)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_covers_every_item_on_any_number_of_cores() {
        let items: Vec<u32> = (0..1000).collect();
        let one_core = map_chunks_on(1, &items, 16, |chunk| chunk.len());
        assert_eq!(one_core, [1000], "one core, one chunk");
        for workers in [2, 3, 8] {
            let chunks = map_chunks_on(workers, &items, 16, |chunk| chunk.to_vec());
            assert!(
                chunks.len() > workers,
                "{workers} cores: more chunks than workers, to share out"
            );
            let (last, others) = chunks.split_last().unwrap();
            assert!(
                others.iter().all(|chunk| chunk.len() >= 16),
                "{workers} cores: the minimum"
            );
            assert!(!last.is_empty() && last.len() <= others[0].len(), "{workers} cores");
            assert_eq!(chunks.concat(), items, "{workers} cores");
        }
        assert_eq!(map_chunks(&items[..3], 16, |c| c.len()), [3], "small inputs stay whole");
        assert_eq!(map_chunks::<u32, usize, _>(&[], 16, |c| c.len()), [0]);
    }

    #[test]
    fn owned_chunks_match_borrowed_ones() {
        let items: Vec<u32> = (0..1000).collect();
        for workers in [1, 2, 3, 8] {
            for size in [0, 3, 16, 17, 999, 1000] {
                let part = &items[..size];
                let owned = map_owned_chunks_on(workers, part.to_vec(), 16, |chunk| chunk);
                let borrowed = map_chunks_on(workers, part, 16, <[u32]>::to_vec);
                assert_eq!(owned, borrowed, "{workers} cores, {size} items");
            }
        }
        assert_eq!(
            map_owned_chunks(items[..3].to_vec(), 16, |c| c),
            [[0, 1, 2]],
            "small inputs stay whole"
        );
    }

    /// A worker held up on one chunk leaves every other chunk to the other workers: the end
    /// waits for that one chunk, not for a share of the work fixed in advance.
    #[test]
    fn a_worker_held_up_leaves_the_other_chunks_to_the_others() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::time::{Duration, Instant};
        let items: Vec<u32> = (0..1000).collect();
        let finished = AtomicUsize::new(0);
        let chunks = 1000usize.div_ceil(chunk_size(1000, 2, 16));
        assert!(chunks > 2, "more chunks than workers");
        let ran_on = map_chunks_on(2, &items, 16, |chunk| {
            if chunk[0] == 0 {
                // The first chunk's worker stalls until every other chunk is done.
                let deadline = Instant::now() + Duration::from_secs(20);
                while finished.load(Ordering::SeqCst) < chunks - 1 {
                    assert!(Instant::now() < deadline, "the other chunks waited for this one");
                    thread::sleep(Duration::from_millis(1));
                }
            } else {
                finished.fetch_add(1, Ordering::SeqCst);
            }
            thread::current().id()
        });
        assert_eq!(ran_on.len(), chunks);
        let threads: std::collections::HashSet<_> = ran_on.iter().collect();
        assert!(threads.len() <= 2, "{} threads for 2 workers", threads.len());
        assert!(ran_on[1..].iter().all(|id| *id != ran_on[0]), "{ran_on:?}");
    }

    #[test]
    #[should_panic(expected = "chunk 900")]
    fn a_panic_in_any_chunk_is_resumed() {
        let items: Vec<u32> = (0..1000).collect();
        map_chunks_on(4, &items, 16, |chunk| {
            if chunk.contains(&900) {
                panic!("chunk 900");
            }
        });
    }

    /// Of several panics, the first chunk's is resumed, as on one thread, however the chunks
    /// were shared out.
    #[test]
    fn of_several_panics_the_first_chunks_is_resumed() {
        let items: Vec<u32> = (0..1000).collect();
        for round in 0..10 {
            let caught = panic::catch_unwind(|| {
                map_chunks_on(4, &items, 16, |chunk| {
                    if chunk.contains(&100) {
                        // The later chunks panic first.
                        thread::sleep(std::time::Duration::from_millis(10));
                        panic!("chunk 100");
                    }
                    if chunk.contains(&900) || chunk.contains(&500) {
                        panic!("a later chunk");
                    }
                })
            });
            let panic = caught.expect_err("the chunks panicked");
            assert_eq!(panic.downcast_ref::<&str>(), Some(&"chunk 100"), "round {round}");
        }
    }

    #[test]
    fn join_returns_both_results_in_order_either_way() {
        for in_parallel in [false, true] {
            let (a, b) = join(in_parallel, || "first".to_owned(), || vec![2, 3]);
            assert_eq!((a.as_str(), b), ("first", vec![2, 3]), "in parallel: {in_parallel}");
        }
    }

    #[test]
    #[should_panic(expected = "the second one")]
    fn join_resumes_a_panic_of_the_second_closure() {
        join(true, || 1, || -> u8 { panic!("the second one") });
    }
}
