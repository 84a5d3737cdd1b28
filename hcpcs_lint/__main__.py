from hcpcs_lint.cli import main

main()
