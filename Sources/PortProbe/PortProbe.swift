// The port probe (issue 4) lives here.
