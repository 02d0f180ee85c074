from kehoach_docs.cli import run

run()
