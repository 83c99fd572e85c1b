"""Runtime settings wherever they are written, with the exact values they set."""

from __future__ import annotations

import pytest

from readiness_plugins._runtime_flags import (
    facts_of,
    flags_in_command,
    flags_in_env,
    flags_in_msbuild,
    flags_in_runtimeconfig,
    flags_in_script,
    flags_in_server_config,
    shell_words,
)


def facts(flags) -> dict:
    return facts_of(flags)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            "java -Xms1g -Xmx2g -XX:+UseG1GC -XX:MaxGCPauseMillis=100 -XX:MaxRAMPercentage=70.0 -jar app.jar",
            {"heap_initial_bytes": 1 << 30, "heap_max_bytes": 2 << 30, "gc": "G1", "max_gc_pause_ms": 100, "heap_max_ram_percent": 70.0},
        ),
        ("java -XX:+UseShenandoahGC -XX:ParallelGCThreads=4 -XX:ConcGCThreads=2 -jar a.jar", {"gc": "Shenandoah", "gc_parallel_threads": 4, "gc_concurrent_threads": 2}),
        ("java -XX:+UseParallelGC -XX:MaxMetaspaceSize=256m -XX:MaxDirectMemorySize=1g -jar a.jar", {"gc": "Parallel", "metaspace_max_bytes": 256 << 20, "direct_memory_max_bytes": 1 << 30}),
        ("java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -XX:SharedArchiveFile=app.jsa -jar a.jar", {"gc": "Serial", "jit_tiered_stop_level": 1, "jvm_cds": True, "jvm_app_cds": True}),
        ("java -XX:CRaCCheckpointTo=/cr -Dspring.aot.enabled=true -jar a.jar", {"jvm_crac": True, "spring_aot": True}),
        (["node", "--max-old-space-size=2048", "src/server.js"], {"heap_max_bytes": 2 << 30}),
        ("node --max-old-space-size 4096 --max-semi-space-size=64 --optimize-for-size x.js", {"heap_max_bytes": 4 << 30, "node_semi_space_bytes": 64 << 20, "node_optimize_for_size": True}),
        ("gunicorn app.main:app --bind 0.0.0.0:8000 --workers 4 --threads 8 --timeout 30", {"server": "gunicorn", "workers": 4, "threads": 8}),
        ("gunicorn -w4 -k uvicorn.workers.UvicornWorker app:app", {"server": "gunicorn", "workers": 4, "worker_class": "uvicorn.workers.UvicornWorker"}),
        ("python -m uvicorn app:app --workers=3 --port 80", {"server": "uvicorn", "workers": 3}),
        ("uwsgi --ini uwsgi.ini --processes 6 --threads 2", {"server": "uwsgi", "workers": 6, "threads": 2}),
        ("bundle exec puma -w 4 -t 5:16 -p 3000", {"server": "puma", "workers": 4, "threads": 16}),
        ("celery -A proj worker -c 8 -l info", {"server": "celery", "workers": 8}),
        ("bundle exec sidekiq -c 10 -q default", {"server": "sidekiq", "threads": 10}),
        ("GOGC=50 GOMEMLIMIT=400MiB GOMAXPROCS=2 ./notifier", {"gogc": 50, "go_memory_limit_bytes": 400 << 20, "gomaxprocs": 2}),
        (["sh", "-c", "exec java $JAVA_OPTS -Xmx512m -jar /app.jar"], {"heap_max_bytes": 512 << 20}),
        ('bash -c "export JAVA_OPTS=\\"-XX:+UseZGC\\" && exec java -jar a.jar"', {"gc": "ZGC"}),
        ("export NODE_OPTIONS='--max-old-space-size=1536'", {"heap_max_bytes": 1536 << 20}),
    ],
)
def test_command_lines(command, expected):
    assert facts(flags_in_command(command)) == expected


@pytest.mark.parametrize(
    "command",
    [
        "ls -w 4 -t",  # -w means something else outside a server
        "grep -c 8 file && echo --workers 3",
        "java -Xmx -XX:MaxRAMPercentage=lots -XX:+UnknownThing -Xmx1.5g -jar a.jar",
        "echo 'unbalanced",
        "",
    ],
)
def test_lookalikes_set_nothing(command):
    assert flags_in_command(command) == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("JAVA_TOOL_OPTIONS", "-XX:+UseContainerSupport -XX:MaxRAMPercentage=70.0 -XX:+ExitOnOutOfMemoryError", {"heap_max_ram_percent": 70.0}),
        ("JAVA_OPTS", "-Xms1g -Xmx2g -XX:+UseG1GC -XX:MaxGCPauseMillis=100", {"heap_initial_bytes": 1 << 30, "heap_max_bytes": 2 << 30, "gc": "G1", "max_gc_pause_ms": 100}),
        ("GOGC", "50", {"gogc": 50}),
        ("GOGC", "off", {"gogc": "off"}),
        ("GOMEMLIMIT", "400MiB", {"go_memory_limit_bytes": 419_430_400}),
        ("GOMAXPROCS", 2, {"gomaxprocs": 2}),
        ("DOTNET_gcServer", "1", {"dotnet_server_gc": True}),
        ("COMPlus_gcConcurrent", "0", {"dotnet_concurrent_gc": False}),
        ("DOTNET_GCHeapHardLimit", "0x20000000", {"heap_max_bytes": 536_870_912}),
        ("DOTNET_GCHeapHardLimitPercent", "4B", {"heap_max_ram_percent": 75}),
        ("NODE_OPTIONS", "--max-old-space-size=1536 --enable-source-maps", {"heap_max_bytes": 1536 << 20}),
        ("WEB_CONCURRENCY", "5", {"workers": 5}),
        ("GUNICORN_CMD_ARGS", "--workers=3 --threads 2", {"server": "gunicorn", "workers": 3, "threads": 2}),
        ("RAILS_MAX_THREADS", "5", {"threads": 5}),
        ("RUBY_GC_HEAP_GROWTH_FACTOR", "1.1", {"ruby_gc_heap_growth_factor": 1.1}),
        ("MALLOC_ARENA_MAX", "2", {"malloc_arena_max": 2}),
        ("GOMEMLIMIT", "lots", {}),
        ("DOTNET_gcServer", "yes", {}),
        ("DATABASE_URL", "postgres://u:p@db/x", {}),
        ("FLAG", True, {}),
    ],
)
def test_environment_variables(name, value, expected):
    assert facts(flags_in_env(name, value)) == expected


def test_each_flag_says_what_it_is_and_how_it_was_written():
    [flag] = flags_in_env("GOGC", "50")
    assert (flag.fact, flag.value, flag.kind.value, flag.runtime, flag.text) == ("gogc", 50, "gc", "Go", "GOGC=50")
    [heap] = flags_in_command(["java", "-Xmx2g"])
    assert (heap.kind.value, heap.runtime, heap.text) == ("heap", "JVM", "-Xmx2g")


def test_scripts_and_jvm_options_files_line_by_line():
    script = (
        "#!/bin/sh\n"
        "# -Xmx99g in a comment does not count\n"
        'JAVA_OPTS="$JAVA_OPTS -Xmx3g"\n'
        "export GOGC=200\n"
        "exec java $JAVA_OPTS -XX:+UseZGC -jar /app.jar\n"
    )
    assert [(line, flag.fact, flag.value) for line, flag in flags_in_script(script)] == [
        (3, "heap_max_bytes", 3 << 30),
        (4, "gogc", 200),
        (5, "gc", "ZGC"),
    ]
    jvm_config = "-Xms4g\n-Xmx4g\n-XX:MaxDirectMemorySize=12g\n8-13:-XX:+UseConcMarkSweepGC\n"
    assert [(line, flag.fact) for line, flag in flags_in_script(jvm_config)] == [
        (1, "heap_initial_bytes"),
        (2, "heap_max_bytes"),
        (3, "direct_memory_max_bytes"),
    ]
    procfile = "web: gunicorn app:app -w 3\nworker: celery -A app worker -c 4\n"
    assert [(line, flag.fact, flag.value) for line, flag in flags_in_script(procfile, procfile=True)] == [
        (1, "server", "gunicorn"),
        (1, "workers", 3),
        (2, "server", "celery"),
        (2, "workers", 4),
    ]


def test_dotnet_project_and_runtime_config():
    csproj = (
        '<Project Sdk="Microsoft.NET.Sdk.Web">\n  <PropertyGroup>\n'
        "    <ServerGarbageCollection>true</ServerGarbageCollection>\n"
        "    <ConcurrentGarbageCollection>false</ConcurrentGarbageCollection>\n"
        "    <PublishAot>true</PublishAot>\n  </PropertyGroup>\n</Project>\n"
    )
    assert [(line, flag.fact, flag.value) for line, flag in flags_in_msbuild(csproj)] == [
        (3, "dotnet_server_gc", True),
        (4, "dotnet_concurrent_gc", False),
        (5, "dotnet_native_aot", True),
    ]
    runtimeconfig = {"runtimeOptions": {"configProperties": {"System.GC.Server": True, "System.GC.HeapHardLimit": 209715200, "System.GC.Concurrent": "nope"}}}
    assert facts(flags_in_runtimeconfig(runtimeconfig)) == {"dotnet_server_gc": True, "heap_max_bytes": 209_715_200}
    assert facts(flags_in_runtimeconfig({"configProperties": {"System.GC.RetainVM": True}})) == {"dotnet_retain_vm": True}
    assert flags_in_runtimeconfig(["not", "a", "mapping"]) == []


def test_server_config_files():
    gunicorn = "import multiprocessing\nbind = '0.0.0.0:8000'\nworkers = 5\nthreads = 2\nworker_class = 'gthread'\n"
    assert [(line, flag.fact, flag.value) for line, flag in flags_in_server_config("gunicorn.conf.py", gunicorn)] == [
        (1, "server", "gunicorn"),
        (3, "workers", 5),
        (4, "threads", 2),
        (5, "worker_class", "gthread"),
    ]
    puma = 'max_threads_count = ENV.fetch("RAILS_MAX_THREADS") { 5 }\nthreads 5, 5\nworkers Integer(ENV.fetch("WEB_CONCURRENCY") { 2 })\n'
    assert [(line, flag.fact, flag.value) for line, flag in flags_in_server_config("config/puma.rb", puma)] == [
        (1, "server", "puma"),
        (2, "threads", 5),
        (3, "workers", 2),
    ]
    assert [(line, flag.fact, flag.value) for line, flag in flags_in_server_config("uwsgi.ini", "[uwsgi]\nprocesses = 4\n")] == [
        (1, "server", "uwsgi"),
        (2, "workers", 4),
    ]
    assert [(line, flag.fact, flag.value) for line, flag in flags_in_server_config("config/unicorn.rb", "worker_processes 4\ntimeout 30\n")] == [
        (1, "server", "unicorn"),
        (1, "workers", 4),
    ]
    assert flags_in_server_config("gunicorn.conf.py", "workers = multiprocessing.cpu_count() * 2 + 1\n") == []


def test_shell_words():
    assert shell_words("""a 'b c' "d \\"e\\"" f\\ g""") == ["a", "b c", 'd "e"', "f g"]
    assert shell_words("unbalanced 'quote") == ["unbalanced", "quote"]
    assert len(shell_words("x " * 100_000)) == 1000
