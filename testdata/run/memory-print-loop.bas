' PRINT of 1 KiB a million times would buffer a gigabyte: the response buffer
' counts against the memory budget, and the PRINT that would pass it fails.
ON WEBHOOK POST TO "/t" DO
  K$ = "x" : FOR J = 1 TO 10 : K$ = K$ + K$ : NEXT
  FOR I = 1 TO 1000000 : PRINT K$ : NEXT
END ON
