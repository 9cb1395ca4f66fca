"""The ``journeysim`` command's entry point: Ctrl-C at any moment, even while the libraries are
still loading, is one line and exit status 130, never a traceback."""

from __future__ import annotations

import gc
import os
import sys

EXIT_INTERRUPTED = 130

#: journeysim's arrays never go through BLAS, so its threads only cost start-up (some 40 ms when numpy
#: loads), and a sweep's pool of N processes on N cores must not each start N of them. Set before numpy
#: loads, only where the user has not set them.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def main() -> None:
    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")
    try:
        _main()
    finally:
        gc.freeze()  # the collections at interpreter exit then walk none of the libraries' objects


def _main() -> None:
    try:
        import click

        from .cli import main as cli

        try:
            code = cli.main(prog_name="journeysim", standalone_mode=False)
        except click.exceptions.Abort as exc:
            if isinstance(exc.__cause__, KeyboardInterrupt):
                raise KeyboardInterrupt from None
            click.echo("Aborted!", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        sys.exit(code if isinstance(code, int) else 0)
    except KeyboardInterrupt:
        sys.stderr.write("\njourneysim: interrupted; nothing more was written\n")
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":  # pragma: no cover
    main()
