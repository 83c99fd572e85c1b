"""Blocking calls inside async code, and sleeps inside loops (polling and retry back-off).

A blocking call counts only inside a function the parser sees as ``async`` (or Kotlin
``suspend``); a sleep counts only inside a loop of the same function. The same call
elsewhere is not a finding.
"""

from __future__ import annotations

from readiness import hookimpl
from readiness.config import Settings
from readiness.model import Criterion, FileRecord, Finding, Rule
from readiness_plugins._code import Catalog, analyzer, finding, markers_for, rule, source_of

BLOCKING = rule(
    "CONC111", "blocking-call-in-async", Criterion.CONCURRENCY,
    "A blocking call (sleep, synchronous file or network I/O, `subprocess`, `.Wait()`) inside an `async` function or Kotlin `suspend` function.",
    "A blocking call stalls every task sharing the event loop thread; the latency spike hits all requests, not one. "
    "In Tokio the same mistake is visible as a call outside `spawn_blocking`, and the rewrite is the moment to fix it.",
    "async def refresh():\n    time.sleep(5)          # blocks the whole event loop\n    data = requests.get(URL)",
    level="warning",
)
POLLING = rule(
    "CONC112", "sleep-in-loop", Criterion.CONCURRENCY,
    "A sleep inside a loop: polling, busy-waiting and retry back-off (`time.sleep`, `Thread.sleep`, `time.Sleep`, `tokio::time::sleep`, `usleep`).",
    "Polling loops burn threads and add latency equal to the sleep; in a rewrite they become awaited events, channels or timers.",
    "while not job.done():\n    time.sleep(0.5)",
)

BLOCKING_CALLS = Catalog([
    ("Python", "call", "time.sleep requests.get requests.post requests.put requests.delete requests.patch requests.request urllib.request.urlopen subprocess.run subprocess.call subprocess.check_output subprocess.check_call psycopg2.connect open", "blocking call in async function"),
    ("JS", "call", "fs.readFileSync fs.writeFileSync fs.existsSync fs.readdirSync fs.statSync fs.appendFileSync child_process.execSync child_process.spawnSync child_process.execFileSync crypto.pbkdf2Sync crypto.scryptSync zlib.gzipSync zlib.gunzipSync zlib.deflateSync zlib.inflateSync", "synchronous call in async function"),
    ("Rust", "call", "std.thread.sleep std.fs.read_to_string std.fs.read std.fs.write std.fs.File.open std.fs.File.create reqwest.blocking.get std.net.TcpStream.connect", "blocking call in async fn"),
    ("C#", "call", "Thread.Sleep Wait GetResult File.ReadAllText File.ReadAllBytes File.WriteAllText File.ReadAllLines", "blocking call in async method"),
    ("Kotlin", "call", "Thread.sleep runBlocking", "blocking call in suspend function"),
])
SLEEPS = Catalog([
    ("Python", "call", "time.sleep asyncio.sleep", "sleep in a loop"),
    ("JVM", "call", "Thread.sleep SECONDS.sleep MILLISECONDS.sleep", "sleep in a loop"),
    ("Kotlin", "call", "delay kotlinx.coroutines.delay", "sleep in a loop"),
    ("Go", "call", "time.Sleep", "sleep in a loop"),
    ("Rust", "call", "std.thread.sleep tokio.time.sleep async_std.task.sleep", "sleep in a loop"),
    ("CFAMILY", "call", "sleep usleep nanosleep Sleep this_thread.sleep_for this_thread.sleep_until", "sleep in a loop"),
    ("C#", "call", "Thread.Sleep Task.Delay", "sleep in a loop"),
    ("Ruby", "call", "sleep Kernel.sleep", "sleep in a loop"),
    ("PHP", "call", "sleep usleep", "sleep in a loop"),
])


@hookimpl
def readiness_rules() -> list[Rule]:
    return [BLOCKING, POLLING]


@hookimpl
def readiness_analysis_markers() -> dict[str, list[bytes]]:
    return markers_for(BLOCKING_CALLS, SLEEPS)


@hookimpl
@analyzer
def readiness_analyze_file(file: FileRecord, text: str, settings: Settings) -> list[Finding]:
    source = source_of(file, text)
    if source is None:
        return []
    made = []
    for site in source.calls():
        sleep = SLEEPS.match(source, site)
        if sleep is not None and source.loop_depth(site.node) > 0:
            made.append(finding(POLLING, source, site.node, f"{sleep.what}: {site.name}"))
            continue
        blocking = BLOCKING_CALLS.match(source, site)
        function = source.function_at(site.node) if blocking is not None else None
        if blocking is not None and function is not None and function.is_async:
            made.append(finding(BLOCKING, source, site.node, f"{blocking.what}: {site.name}"))
    return made
