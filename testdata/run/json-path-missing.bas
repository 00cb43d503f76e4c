' A missing path or null gives ""; GET JSON PATH of "" gives "", so chains never fail.
ON WEBHOOK POST TO "/t" DO
  J = PARSE JSON "{""a"": {""b"": null}, ""c"": [1]}"
  X = GET JSON PATH J, "a.nope"
  PRINT "["; X; "]["; GET JSON PATH J, "a.b"; "]["; GET JSON PATH J, "c[5]"; "]"
  PRINT "["; GET JSON PATH X, "deeper.still"; "]["; GET JSON PATH "", "x"; "]"
  IF X = "" THEN PRINT " empty"
END ON
