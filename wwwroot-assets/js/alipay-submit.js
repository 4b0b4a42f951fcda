// Hands the buyer to Alipay's cashier: submits the form the portal rendered (a file, not inline: the CSP allows no inline script).
document.getElementById("alipay-submit").submit();
