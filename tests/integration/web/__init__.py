"""Browser tests of the web app (issue 17): Playwright driving Debian's chromium against `filings serve`."""
