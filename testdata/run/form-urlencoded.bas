' GET FORM VALUE reads an urlencoded body; an absent field is "".
ON WEBHOOK POST TO "/t" DO
  PRINT GET FORM VALUE "Digits"; ","; GET FORM VALUE "From"; ","; GET FORM VALUE "msg"; ",["; GET FORM VALUE "nope"; "]"
END ON
