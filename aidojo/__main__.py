from aidojo.cli import main

main()
