from hcpcs_lint.cli import run

run()
