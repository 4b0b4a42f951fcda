using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Postgres.Migrations
{
    /// <inheritdoc />
    public partial class AddWalletAndPayments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "alipay_notify_logs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    notify_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    out_trade_no = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    trade_no = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    trade_status = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    total_amount = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: true),
                    raw_body = table.Column<string>(type: "character varying(16000)", maxLength: 16000, nullable: false),
                    remote_ip = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_alipay_notify_logs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "reconciliation_exceptions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    bill_date = table.Column<DateOnly>(type: "date", nullable: false),
                    issue = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    out_trade_no = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    trade_no = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: true),
                    local_amount_micro_yuan = table.Column<long>(type: "bigint", nullable: true),
                    bill_amount_micro_yuan = table.Column<long>(type: "bigint", nullable: true),
                    detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    resolved_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    resolved_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    resolution_note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_reconciliation_exceptions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "simulator_alipay_keys",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    app_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    seller_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    merchant_private_key = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    merchant_public_key = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    alipay_private_key = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    alipay_public_key = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_simulator_alipay_keys", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "simulator_alipay_trades",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    app_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    out_trade_no = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    trade_no = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    product_code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    total_amount_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    notify_url = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    return_url = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    qr_token = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    paid_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    buyer_logon_id = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    buyer_id = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    refunded_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    notify_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    notify_attempts = table.Column<int>(type: "integer", nullable: false),
                    next_notify_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    notified_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_notify_reply = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_simulator_alipay_trades", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "top_up_orders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    order_no = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    channel = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    subject = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    created_by_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    paid_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    closed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    alipay_trade_no = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    qr_code = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    last_queried_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_top_up_orders", x => x.id);
                    table.CheckConstraint("ck_top_up_orders_amount_positive", "amount_micro_yuan > 0");
                    table.ForeignKey(
                        name: "fk_top_up_orders_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "wallets",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    balance_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    reserved_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    credit_limit_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    plan_credit_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    plan_credit_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wallets", x => x.id);
                    table.CheckConstraint("ck_wallets_balance_within_credit", "balance_micro_yuan + credit_limit_micro_yuan >= 0");
                    table.CheckConstraint("ck_wallets_credit_limit_non_negative", "credit_limit_micro_yuan >= 0");
                    table.CheckConstraint("ck_wallets_plan_credit_non_negative", "plan_credit_micro_yuan >= 0");
                    table.CheckConstraint("ck_wallets_reserved_non_negative", "reserved_micro_yuan >= 0");
                    table.ForeignKey(
                        name: "fk_wallets_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "simulator_alipay_refunds",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    trade_id = table.Column<Guid>(type: "uuid", nullable: false),
                    out_request_no = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_simulator_alipay_refunds", x => x.id);
                    table.ForeignKey(
                        name: "fk_simulator_alipay_refunds_simulator_trades_trade_id",
                        column: x => x.trade_id,
                        principalTable: "simulator_alipay_trades",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ledger_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    wallet_id = table.Column<Guid>(type: "uuid", nullable: false),
                    at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    amount_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    balance_after_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    idempotency_key = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    actor_user_id = table.Column<Guid>(type: "uuid", nullable: true),
                    actor = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    memo = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    reference = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_ledger_entries", x => x.id);
                    table.CheckConstraint("ck_ledger_entries_amount_non_zero", "amount_micro_yuan <> 0");
                    table.ForeignKey(
                        name: "fk_ledger_entries_tenants_tenant_id",
                        column: x => x.tenant_id,
                        principalTable: "tenants",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_ledger_entries_wallets_wallet_id",
                        column: x => x.wallet_id,
                        principalTable: "wallets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "wallet_invariant_alerts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    tenant_id = table.Column<Guid>(type: "uuid", nullable: false),
                    wallet_id = table.Column<Guid>(type: "uuid", nullable: false),
                    detected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    balance_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    expected_micro_yuan = table.Column<long>(type: "bigint", nullable: false),
                    acknowledged_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    acknowledged_by = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    note = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wallet_invariant_alerts", x => x.id);
                    table.ForeignKey(
                        name: "fk_wallet_invariant_alerts_wallets_wallet_id",
                        column: x => x.wallet_id,
                        principalTable: "wallets",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_alipay_notify_logs_out_trade_no",
                table: "alipay_notify_logs",
                column: "out_trade_no");

            migrationBuilder.CreateIndex(
                name: "ix_alipay_notify_logs_received_at",
                table: "alipay_notify_logs",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_idempotency_key",
                table: "ledger_entries",
                column: "idempotency_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_tenant_id_at",
                table: "ledger_entries",
                columns: new[] { "tenant_id", "at" });

            migrationBuilder.CreateIndex(
                name: "ix_ledger_entries_wallet_id",
                table: "ledger_entries",
                column: "wallet_id");

            migrationBuilder.CreateIndex(
                name: "ix_reconciliation_exceptions_key",
                table: "reconciliation_exceptions",
                column: "key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_reconciliation_exceptions_resolved_at_bill_date",
                table: "reconciliation_exceptions",
                columns: new[] { "resolved_at", "bill_date" });

            migrationBuilder.CreateIndex(
                name: "ix_simulator_alipay_refunds_at",
                table: "simulator_alipay_refunds",
                column: "at");

            migrationBuilder.CreateIndex(
                name: "ix_simulator_alipay_refunds_trade_id_out_request_no",
                table: "simulator_alipay_refunds",
                columns: new[] { "trade_id", "out_request_no" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_simulator_alipay_trades_app_id_out_trade_no",
                table: "simulator_alipay_trades",
                columns: new[] { "app_id", "out_trade_no" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_simulator_alipay_trades_next_notify_at",
                table: "simulator_alipay_trades",
                column: "next_notify_at");

            migrationBuilder.CreateIndex(
                name: "ix_simulator_alipay_trades_paid_at",
                table: "simulator_alipay_trades",
                column: "paid_at");

            migrationBuilder.CreateIndex(
                name: "ix_simulator_alipay_trades_qr_token",
                table: "simulator_alipay_trades",
                column: "qr_token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_simulator_alipay_trades_trade_no",
                table: "simulator_alipay_trades",
                column: "trade_no",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_top_up_orders_alipay_trade_no",
                table: "top_up_orders",
                column: "alipay_trade_no");

            migrationBuilder.CreateIndex(
                name: "ix_top_up_orders_order_no",
                table: "top_up_orders",
                column: "order_no",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_top_up_orders_status_created_at",
                table: "top_up_orders",
                columns: new[] { "status", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_top_up_orders_status_paid_at",
                table: "top_up_orders",
                columns: new[] { "status", "paid_at" });

            migrationBuilder.CreateIndex(
                name: "ix_top_up_orders_tenant_id_created_at",
                table: "top_up_orders",
                columns: new[] { "tenant_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_wallet_invariant_alerts_wallet_id_acknowledged_at",
                table: "wallet_invariant_alerts",
                columns: new[] { "wallet_id", "acknowledged_at" });

            migrationBuilder.CreateIndex(
                name: "ix_wallets_tenant_id",
                table: "wallets",
                column: "tenant_id",
                unique: true);
            // Ledger entries are append-only in the database too: corrections are new entries, never edits.
            migrationBuilder.Sql("""
                CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
                FOR EACH ROW EXECUTE FUNCTION portal_refuse_change();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS ledger_entries_append_only ON ledger_entries;");

            migrationBuilder.DropTable(
                name: "alipay_notify_logs");

            migrationBuilder.DropTable(
                name: "ledger_entries");

            migrationBuilder.DropTable(
                name: "reconciliation_exceptions");

            migrationBuilder.DropTable(
                name: "simulator_alipay_keys");

            migrationBuilder.DropTable(
                name: "simulator_alipay_refunds");

            migrationBuilder.DropTable(
                name: "top_up_orders");

            migrationBuilder.DropTable(
                name: "wallet_invariant_alerts");

            migrationBuilder.DropTable(
                name: "simulator_alipay_trades");

            migrationBuilder.DropTable(
                name: "wallets");
        }
    }
}
