' A string doubled 40 times would take a terabyte: the run stops at the memory
' budget (64 MiB by default), at the + that would pass it, and answers 503.
ON WEBHOOK POST TO "/t" DO
  S = "x" : FOR I = 1 TO 40 : S = S + S : NEXT
  PRINT LEN(S)
END ON
