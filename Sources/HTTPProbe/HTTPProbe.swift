// The HTTP probe (issue 3) lives here.
