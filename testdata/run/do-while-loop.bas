' DO WHILE ... LOOP tests before each pass.
ON WEBHOOK POST TO "/t" DO
  S$ = ""
  DO WHILE LEN(S$) < 4
    S$ = S$ & "x"
  LOOP
  PRINT S$
  DO WHILE S$ = ""
    PRINT "never"
  LOOP
END ON
