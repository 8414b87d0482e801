#!/usr/bin/env python
from qadam.cli import main

if __name__ == "__main__":
    main()
