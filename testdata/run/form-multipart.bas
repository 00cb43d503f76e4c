' GET FORM VALUE reads a multipart/form-data body too.
ON WEBHOOK POST TO "/t" DO
  PRINT GET FORM VALUE "name"; ","; GET FORM VALUE "note"; ",["; GET FORM VALUE "nope"; "]"
END ON
