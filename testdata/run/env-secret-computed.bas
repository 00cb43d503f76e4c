' GET ENV of a secret of the server, named by a computed value, is a runtime
' error, 500, whatever the case: the value never reaches the response.
ON WEBHOOK POST TO "/t" DO
  N$ = "smtp_" & "password"
  PRINT GET ENV N$
END ON
