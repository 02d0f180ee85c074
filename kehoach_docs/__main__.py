from kehoach_docs.cli import main

main()
