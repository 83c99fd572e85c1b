from readiness.cli import console_main

console_main()
