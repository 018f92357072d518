"""The ``kinlink`` command: thin Typer commands over the services of each package."""
