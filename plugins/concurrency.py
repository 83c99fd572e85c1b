"""Concurrency primitives: threads, pools, locks, atomics, coordination, runtimes, channels, actors.

Each rule is a catalogue of what creates or uses the primitive in each language: calls,
object creations, declared types, and keywords (``synchronized``, ``go``, ``select``),
resolved through the file's imports. A name in a comment, a string or an unrelated
identifier (``my_thread_pool_size``, ``lockfile``) is never a call to the primitive.
"""

from __future__ import annotations

import re

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, FileRecord, Finding, Rule
from readiness_plugins._code import Catalog, RuleCatalogs, Source, analyzer, finding, markers_for, rule, source_of

C = Criterion.CONCURRENCY

THREAD = rule(
    "CONC101", "thread-creation", C,
    "Code that starts an operating-system thread directly: `threading.Thread`, `new Thread`, `std::thread`, `pthread_create`, `std::thread::spawn`, `Thread.new`.",
    "Hand-managed threads share memory with no compiler check of who may touch what; Rust's `Send`/`Sync` rules make such sharing a compile error instead of a race found in production.",
    "worker = threading.Thread(target=drain, daemon=True)\nworker.start()",
)
POOL = rule(
    "CONC102", "thread-pool", C,
    "Thread pools and executors, and the calls that hand work to a pool: `ThreadPoolExecutor`, `Executors.newFixedThreadPool`, `Task.Run`, `Parallel.ForEach`, `CompletableFuture.supplyAsync`, rayon's `par_iter`.",
    "Pools mean many requests run in parallel over shared objects. Tokio or rayon give the same parallelism with data races ruled out at compile time and no per-thread GC pressure.",
    "_executor = ThreadPoolExecutor(max_workers=16)\nfutures = [_executor.submit(reserve, line) for line in lines]",
)
LOCK = rule(
    "CONC103", "lock", C,
    "Mutual exclusion: lock and mutex creation (`threading.Lock`, `ReentrantLock`, `sync.Mutex`, `std::mutex`, `Mutex::new`), `synchronized` methods and blocks, C#'s `lock`.",
    "Every lock is shared mutable state that a person had to guard by hand; forgetting one is a data race. Rust ties the data to its `Mutex`, so unguarded access does not compile.",
    "private final ReentrantLock expiryLock = new ReentrantLock();\npublic synchronized void recordRestock(String sku) { ... }",
)
ATOMIC = rule(
    "CONC104", "atomic-or-concurrent-collection", C,
    "Lock-free shared state: atomics (`AtomicLong`, `std::atomic`, `sync/atomic`, `Interlocked`) and concurrent collections (`ConcurrentHashMap`, `ConcurrentDictionary`, `sync.Map`, `queue.Queue`).",
    "Atomics and concurrent maps are where a service shares hot state between threads; Rust's atomics and `DashMap` keep that sharing explicit and checked.",
    "private final ConcurrentHashMap<String, Reservation> reservations = new ConcurrentHashMap<>();\nprivate final AtomicLong seq = new AtomicLong();",
)
COORDINATION = rule(
    "CONC105", "thread-coordination", C,
    "Condition variables and other coordination between threads: `threading.Condition`/`Event`, `CountDownLatch`, `wait`/`notify`, `std::condition_variable`, `sync.WaitGroup`, `Condvar`.",
    "Coordination primitives are where lost wake-ups and deadlocks hide. Rust's ownership makes the data they protect impossible to reach without the guard.",
    "var wg sync.WaitGroup\nwg.Add(1)\ngo worker(&wg)",
)
RUNTIME = rule(
    "CONC107", "async-runtime", C,
    "Async runtimes, event loops and task spawns: `asyncio.run`/`create_task`, `#[tokio::main]`, `tokio::spawn`, Kotlin's `runBlocking`/`launch`, Netty event loop groups, ReactPHP's loop.",
    "A service built on an event loop already has the shape of a Tokio service; the rewrite keeps its structure and gains predictable latency without a GC or an interpreter lock.",
    "#[tokio::main]\nasync fn main() { tokio::spawn(run_writer(pool, rx)); }",
)
CHANNEL = rule(
    "CONC108", "goroutine-or-channel", C,
    "Goroutines (`go f()`), channels (`make(chan T)`, `mpsc::channel`, Kotlin's `Channel`, .NET's `Channel.CreateBounded`) and `select` over channels.",
    "Message passing between concurrent tasks maps directly onto Tokio tasks and channels; such code shows a team already thinking in the model Rust enforces.",
    "jobs := make(chan job, workers*4)\ngo d.worker(ctx, i)\nselect { case j := <-jobs: ... }",
)
NODE_WORKERS = rule(
    "CONC109", "node-worker-or-cluster", C,
    "Node.js processes and threads that work around the single event loop: `cluster.fork()`, `new Worker()` from `worker_threads`, `child_process.fork()`.",
    "A Node service that forks a cluster or spawns workers is CPU-bound enough to outgrow one event loop; a Rust service uses every core from one process with shared, checked state.",
    "if (cluster.isPrimary) { for (let i = 0; i < n; i++) cluster.fork(); }",
)
ACTOR = rule(
    "CONC110", "actor", C,
    "Actor systems: Akka actors and `ActorSystem`, Orleans grains, actix `impl Actor`, Kotlin's `actor {}`, Ruby's `Ractor`, pykka actors, Ray remote classes.",
    "Actors isolate state behind messages; the design carries over to Rust (actix, Tokio tasks with channels) and the compiler then enforces the isolation.",
    "class Counter extends AbstractActor { ... }\nActorSystem system = ActorSystem.create(\"shop\");",
)

CATALOG = {
    THREAD: Catalog([
        ("Python", "call", "threading.Thread _thread.start_new_thread multiprocessing.Process", "thread started"),
        ("Java Scala C#", "new", "Thread", "thread created"),
        ("JVM", "call", "Thread.ofVirtual Thread.ofPlatform Thread.startVirtualThread", "thread created"),
        ("Kotlin", "call", "Thread kotlin.concurrent.thread", "thread created"),
        ("CFAMILY", "call", "pthread_create thrd_create CreateThread _beginthreadex", "thread created"),
        ("C++", "call typeref", "thread jthread boost.thread", "thread created"),
        ("Rust", "call", "std.thread.spawn std.thread.Builder.new", "thread spawned"),
        ("Ruby", "call", "Thread.new Thread.start Thread.fork", "thread started"),
        ("PHP", "new", "parallel.Runtime Thread", "thread created"),
    ]),
    POOL: Catalog([
        ("Python", "call", "concurrent.futures.ThreadPoolExecutor concurrent.futures.ProcessPoolExecutor multiprocessing.Pool multiprocessing.pool.ThreadPool multiprocessing.pool.Pool", "worker pool"),
        ("JVM", "call", "Executors.newFixedThreadPool Executors.newCachedThreadPool Executors.newScheduledThreadPool Executors.newSingleThreadExecutor Executors.newWorkStealingPool Executors.newVirtualThreadPerTaskExecutor Executors.newSingleThreadScheduledExecutor Executors.newThreadPerTaskExecutor CompletableFuture.supplyAsync CompletableFuture.runAsync", "thread pool"),
        ("JVM", "new call", "ThreadPoolExecutor ScheduledThreadPoolExecutor ForkJoinPool ThreadPoolTaskExecutor", "thread pool"),
        ("Java", "annotation", "Async", "method run on a thread pool"),
        ("Kotlin", "call", "newFixedThreadPoolContext", "thread pool"),
        ("Scala", "call", "ExecutionContext.fromExecutor ExecutionContext.fromExecutorService Future", "work handed to a thread pool"),
        ("C#", "call", "Task.Run Task.Factory.StartNew ThreadPool.QueueUserWorkItem ThreadPool.UnsafeQueueUserWorkItem Parallel.For Parallel.ForEach Parallel.ForEachAsync Parallel.Invoke AsParallel", "work handed to the thread pool"),
        ("Rust", "call", "rayon.ThreadPoolBuilder.new rayon.spawn rayon.join par_iter par_iter_mut into_par_iter par_chunks tokio.task.spawn_blocking", "parallel work on a thread pool"),
        ("C++", "call", "async tbb.parallel_for tbb.parallel_for_each", "work handed to a thread pool"),
        ("C++", "typeref", "boost.asio.thread_pool", "thread pool"),
        ("Ruby", "call", "Concurrent.FixedThreadPool.new Concurrent.ThreadPoolExecutor.new Concurrent.CachedThreadPool.new Concurrent.Future.execute Concurrent.Promises.future Parallel.map Parallel.each", "thread pool"),
        ("JS", "new", "Piscina", "worker pool"),
        ("JS", "call", "workerpool.pool", "worker pool"),
    ]),
    LOCK: Catalog([
        ("Python", "call", "threading.Lock threading.RLock threading.Semaphore threading.BoundedSemaphore multiprocessing.Lock multiprocessing.RLock asyncio.Lock asyncio.Semaphore", "lock created"),
        ("JVM C#", "new call", "ReentrantLock ReentrantReadWriteLock StampedLock Semaphore", "lock created"),
        ("Java", "construct", "synchronized_statement synchronized", "synchronized"),
        ("Kotlin Scala", "call", "synchronized", "synchronized block"),
        ("Kotlin", "call", "Mutex kotlinx.coroutines.sync.Mutex", "lock created"),
        ("Kotlin", "annotation", "Synchronized", "synchronized method"),
        ("Go", "typeref", "sync.Mutex sync.RWMutex", "mutex"),
        ("C", "typeref", "pthread_mutex_t pthread_rwlock_t pthread_spinlock_t mtx_t CRITICAL_SECTION SRWLOCK", "mutex"),
        ("C++", "typeref", "mutex recursive_mutex shared_mutex timed_mutex recursive_timed_mutex lock_guard unique_lock scoped_lock shared_lock pthread_mutex_t boost.mutex", "mutex"),
        ("C#", "construct", "lock_statement", "lock"),
        ("C#", "new", "Mutex SemaphoreSlim ReaderWriterLockSlim SpinLock", "lock created"),
        ("C#", "call", "Monitor.Enter Monitor.TryEnter", "lock taken"),
        ("Rust", "call", "Mutex.new RwLock.new Semaphore.new", "lock created"),
        ("Ruby", "call", "Mutex.new Monitor.new Thread.Mutex.new", "lock created"),
        ("PHP", "call", "sem_get sem_acquire", "semaphore"),
        ("JS", "new", "async-mutex.Mutex async-mutex.Semaphore", "lock created"),
    ]),
    ATOMIC: Catalog([
        ("Python", "call", "queue.Queue queue.SimpleQueue queue.LifoQueue queue.PriorityQueue multiprocessing.Queue", "thread-safe queue"),
        ("JVM", "new call", "AtomicInteger AtomicLong AtomicBoolean AtomicReference AtomicIntegerArray AtomicLongArray LongAdder DoubleAdder", "atomic"),
        ("JVM", "new call", "ConcurrentHashMap ConcurrentLinkedQueue ConcurrentLinkedDeque ConcurrentSkipListMap ConcurrentSkipListSet CopyOnWriteArrayList LinkedBlockingQueue ArrayBlockingQueue PriorityBlockingQueue LinkedBlockingDeque", "concurrent collection"),
        ("JVM", "call", "Collections.synchronizedMap Collections.synchronizedList Collections.synchronizedSet", "synchronized collection"),
        ("Kotlin", "call", "kotlinx.atomicfu.atomic", "atomic"),
        ("Go", "call", "sync/atomic.AddInt64 sync/atomic.AddInt32 sync/atomic.AddUint64 sync/atomic.AddUint32 sync/atomic.LoadInt64 sync/atomic.LoadInt32 sync/atomic.LoadUint64 sync/atomic.StoreInt64 sync/atomic.StoreInt32 sync/atomic.CompareAndSwapInt64 sync/atomic.CompareAndSwapInt32 sync/atomic.LoadPointer sync/atomic.StorePointer", "atomic operation"),
        ("Go", "typeref", "sync/atomic.Int64 sync/atomic.Int32 sync/atomic.Uint64 sync/atomic.Uint32 sync/atomic.Bool sync/atomic.Value sync/atomic.Pointer sync.Map", "atomic or concurrent map"),
        ("C++", "typeref", "atomic atomic_flag atomic_int atomic_bool atomic_size_t", "atomic"),
        ("CFAMILY", "call", "atomic_fetch_add atomic_fetch_sub atomic_load atomic_store atomic_exchange atomic_compare_exchange_strong atomic_compare_exchange_weak __sync_fetch_and_add __sync_add_and_fetch __sync_bool_compare_and_swap __atomic_fetch_add __atomic_load_n __atomic_store_n InterlockedIncrement InterlockedCompareExchange", "atomic operation"),
        ("C", "typeref", "atomic_int atomic_bool atomic_long atomic_size_t atomic_flag", "atomic"),
        ("C#", "call", "Interlocked.Increment Interlocked.Decrement Interlocked.Add Interlocked.Exchange Interlocked.CompareExchange", "atomic operation"),
        ("C#", "new", "ConcurrentDictionary ConcurrentQueue ConcurrentBag ConcurrentStack BlockingCollection", "concurrent collection"),
        ("Rust", "call", "AtomicUsize.new AtomicU64.new AtomicU32.new AtomicI64.new AtomicI32.new AtomicBool.new AtomicPtr.new DashMap.new", "atomic"),
        ("Ruby", "call", "Concurrent.AtomicFixnum.new Concurrent.AtomicReference.new Concurrent.AtomicBoolean.new Concurrent.Map.new Queue.new Thread.Queue.new SizedQueue.new", "thread-safe shared state"),
        ("JS", "call", "Atomics.add Atomics.sub Atomics.store Atomics.load Atomics.compareExchange Atomics.wait Atomics.notify", "atomic operation"),
        ("JS", "new", "SharedArrayBuffer", "memory shared between threads"),
    ]),
    COORDINATION: Catalog([
        ("Python", "call", "threading.Condition threading.Event threading.Barrier multiprocessing.Event multiprocessing.Condition", "thread coordination"),
        ("JVM", "new call", "CountDownLatch CyclicBarrier Phaser Exchanger", "thread coordination"),
        ("Java", "call", "newCondition wait notify notifyAll", "condition wait or signal"),
        ("Go", "typeref", "sync.WaitGroup sync.Cond", "goroutine coordination"),
        ("Go", "call", "sync.NewCond golang.org/x/sync/errgroup.WithContext", "goroutine coordination"),
        ("C++", "typeref", "condition_variable condition_variable_any barrier latch", "condition variable"),
        ("C", "typeref", "pthread_cond_t pthread_barrier_t cnd_t CONDITION_VARIABLE", "condition variable"),
        ("C#", "new", "ManualResetEvent ManualResetEventSlim AutoResetEvent CountdownEvent Barrier", "thread coordination"),
        ("C#", "call", "Monitor.Wait Monitor.Pulse Monitor.PulseAll", "condition wait or signal"),
        ("Rust", "call", "Condvar.new Barrier.new Notify.new", "thread coordination"),
        ("Ruby", "call", "ConditionVariable.new Thread.ConditionVariable.new", "condition variable"),
    ]),
    RUNTIME: Catalog([
        ("Python", "call", "asyncio.run asyncio.get_event_loop asyncio.new_event_loop asyncio.create_task asyncio.gather asyncio.ensure_future asyncio.TaskGroup uvloop.install uvloop.run trio.run anyio.run", "async runtime"),
        ("Rust", "annotation", "tokio.main actix_web.main actix_rt.main async_std.main", "async runtime entry point"),
        ("Rust", "call", "tokio.spawn tokio.task.spawn tokio.runtime.Runtime.new tokio.runtime.Builder.new_multi_thread tokio.runtime.Builder.new_current_thread async_std.task.spawn futures.executor.block_on", "async task or runtime"),
        ("Kotlin", "call", "runBlocking launch async GlobalScope.launch GlobalScope.async CoroutineScope", "coroutine runtime"),
        ("JVM", "new call", "NioEventLoopGroup EpollEventLoopGroup", "event loop"),
        ("JVM", "call", "Vertx.vertx", "event loop"),
        ("C++", "typeref", "boost.asio.io_context asio.io_context boost.asio.io_service", "event loop"),
        ("Ruby", "call", "EventMachine.run EM.run Async", "event loop"),
        ("PHP", "call", "Loop.run React.EventLoop.Loop.run React.EventLoop.Factory.create Swoole.Coroutine.run Swoole.Coroutine.create", "event loop"),
    ]),
    CHANNEL: Catalog([
        ("Go", "construct", "go_statement", "goroutine started"),
        ("Go", "construct", "select_statement", "select over channels"),
        ("Go", "construct", "call_expression", "channel created"),
        ("Rust", "call", "mpsc.channel mpsc.sync_channel mpsc.unbounded_channel broadcast.channel oneshot.channel watch.channel crossbeam_channel.unbounded crossbeam_channel.bounded flume.unbounded flume.bounded tokio.select crossbeam.select", "channel"),
        ("Kotlin", "call", "Channel select produce", "channel"),
        ("C#", "call", "Channel.CreateBounded Channel.CreateUnbounded", "channel"),
    ]),
    NODE_WORKERS: Catalog([
        ("JS", "call", "cluster.fork child_process.fork", "process forked"),
        ("JS", "new", "worker_threads.Worker", "worker thread"),
    ]),
    ACTOR: Catalog([
        ("Scala Java", "call", "ActorSystem ActorSystem.create ActorSystem.apply Behaviors.receive Behaviors.setup actorOf", "actor"),
        ("Kotlin", "call", "actor", "coroutine actor"),
        ("C#", "call", "ActorSystem.Create", "actor system"),
        ("Ruby", "call", "Ractor.new", "ractor"),
        ("Python", "annotation", "ray.remote", "remote actor"),
    ]),
}

CATALOGS = RuleCatalogs(CATALOG)

_ACTOR_BASES = re.compile(r"(?:extends|with|:|\(|impl)\s*[\w.]*?\b(Actor|AbstractActor|AbstractBehavior|UntypedActor|ReceiveActor|UntypedActor|Grain|ThreadingActor|GeneratorBasedActor)\b")


@hookimpl
def readiness_rules() -> list[Rule]:
    return list(CATALOG)


@hookimpl
def readiness_analysis_markers() -> dict[str, list[bytes]]:
    return markers_for(*CATALOG.values(), extra={"Go": [b"go ", b"go\t", b"select", b"chan"], "Java": [b"synchronized"], "JVM C# Rust Python": [b"Actor", b"Grain"]})


@hookimpl
@analyzer
def readiness_analyze_file(file: FileRecord, text: str, settings: Settings) -> list[Finding]:
    source = source_of(file, text)
    if source is None:
        return []
    found: dict[tuple[str, int], Finding] = {}
    for site, matched in CATALOGS.matches(source):
        rule_, pattern = matched[0]
        label = site.name if site.kind != "construct" else source.snippet(site.node)[:60]
        made = finding(rule_, source, site.node, f"{pattern.what}: {label}")
        found.setdefault((made.rule, made.line), made)
    for made in _actor_classes(source):
        found.setdefault((made.rule, made.line), made)
    return list(found.values())


def _actor_classes(source: Source) -> list[Finding]:
    made = []
    for scope in source.scopes:
        if scope.kind != "class":
            continue
        body = next((c for c in scope.node.named_children if c.type in ("class_body", "declaration_list", "block", "template_body")), None)
        header = source.data[scope.start : body.start_byte if body is not None else scope.end][:500].decode("utf-8", "replace")
        match = _ACTOR_BASES.search(header)
        if match and (source.language != "Rust" or re.search(r"\bActor\s+for\b", header)):
            made.append(finding(ACTOR, source, scope.node, f"actor class: {scope.qualified} ({match.group(1)})"))
    return made
