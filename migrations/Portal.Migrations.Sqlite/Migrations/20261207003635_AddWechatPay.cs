using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class AddWechatPay : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "wechat_transaction_id",
                table: "top_up_orders",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "simulator_wechat_trades",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    mch_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    app_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    out_trade_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    trade_type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    total_fen = table.Column<long>(type: "INTEGER", nullable: false),
                    trade_state = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    transaction_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    payer_open_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    notify_url = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    pay_token = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    paid_at = table.Column<long>(type: "INTEGER", nullable: true),
                    closed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    refunded_fen = table.Column<long>(type: "INTEGER", nullable: false),
                    notification_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    notify_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_notify_at = table.Column<long>(type: "INTEGER", nullable: true),
                    notified_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_notify_reply = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_simulator_wechat_trades", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "wechat_pay_notify_logs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    detail = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    notification_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    event_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    out_trade_no = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    transaction_id = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    amount_fen = table.Column<long>(type: "INTEGER", nullable: true),
                    tenant_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    headers = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    raw_body = table.Column<string>(type: "TEXT", maxLength: 16000, nullable: false),
                    remote_ip = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_wechat_pay_notify_logs", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "simulator_wechat_refunds",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    trade_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    out_refund_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    refund_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    refund_fen = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    notify_url = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    succeeded_at = table.Column<long>(type: "INTEGER", nullable: true),
                    notify_attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    next_notify_at = table.Column<long>(type: "INTEGER", nullable: true),
                    last_notify_reply = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_simulator_wechat_refunds", x => x.id);
                    table.ForeignKey(
                        name: "fk_simulator_wechat_refunds_wechat_simulator_trades_trade_id",
                        column: x => x.trade_id,
                        principalTable: "simulator_wechat_trades",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_top_up_orders_wechat_transaction_id",
                table: "top_up_orders",
                column: "wechat_transaction_id");

            migrationBuilder.CreateIndex(
                name: "ix_simulator_wechat_refunds_next_notify_at",
                table: "simulator_wechat_refunds",
                column: "next_notify_at");

            migrationBuilder.CreateIndex(
                name: "ix_simulator_wechat_refunds_out_refund_no",
                table: "simulator_wechat_refunds",
                column: "out_refund_no",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_simulator_wechat_refunds_succeeded_at",
                table: "simulator_wechat_refunds",
                column: "succeeded_at");

            migrationBuilder.CreateIndex(
                name: "ix_simulator_wechat_refunds_trade_id",
                table: "simulator_wechat_refunds",
                column: "trade_id");

            migrationBuilder.CreateIndex(
                name: "ix_simulator_wechat_trades_mch_id_out_trade_no",
                table: "simulator_wechat_trades",
                columns: new[] { "mch_id", "out_trade_no" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_simulator_wechat_trades_next_notify_at",
                table: "simulator_wechat_trades",
                column: "next_notify_at");

            migrationBuilder.CreateIndex(
                name: "ix_simulator_wechat_trades_paid_at",
                table: "simulator_wechat_trades",
                column: "paid_at");

            migrationBuilder.CreateIndex(
                name: "ix_simulator_wechat_trades_pay_token",
                table: "simulator_wechat_trades",
                column: "pay_token",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_simulator_wechat_trades_transaction_id",
                table: "simulator_wechat_trades",
                column: "transaction_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_wechat_pay_notify_logs_out_trade_no",
                table: "wechat_pay_notify_logs",
                column: "out_trade_no");

            migrationBuilder.CreateIndex(
                name: "ix_wechat_pay_notify_logs_received_at",
                table: "wechat_pay_notify_logs",
                column: "received_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "simulator_wechat_refunds");

            migrationBuilder.DropTable(
                name: "wechat_pay_notify_logs");

            migrationBuilder.DropTable(
                name: "simulator_wechat_trades");

            migrationBuilder.DropIndex(
                name: "ix_top_up_orders_wechat_transaction_id",
                table: "top_up_orders");

            migrationBuilder.DropColumn(
                name: "wechat_transaction_id",
                table: "top_up_orders");
        }
    }
}
